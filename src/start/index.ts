// What startProctor (src/main.ts) composes the server from, beside the stages' own factories: the database
// connections and schema check, the configured chain's ledger, and shutdown's ordered closers.
export { openChainLedger, type ChainLedgerParts } from './chain-ledger.ts';
export { closeAll, type Closer, flushing } from './closers.ts';
export { type Databases, openDatabases, prepareSchema } from './databases.ts';
export { capConnections, type ConnectionCap, type ConnectionCaps } from './connections.ts';
