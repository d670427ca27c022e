// What `proctor dev` prints: loud about being a development stack, and exactly how to call it.
import type { DevState } from '../dev/dev-stack.ts';

export function devBanner(state: DevState, dataDir: string): string {
  const line = '='.repeat(78);
  return `${line}
  PROCTOR DEVELOPMENT STACK: NOT FOR PRODUCTION
  loopback only | PGlite, fsync off (demo storage) | development OIDC issuer
  local echo upstream | generated development keys in ${dataDir}
${line}
  OpenAI base URL   ${state.url}
  OIDC issuer       ${state.issuer}  (audience "${state.audience}")
  ledger chain      ${state.chain}   public key: ${state.public_key_file}

  1. a token for a person (groups are optional):
       TOKEN=$(./bin/proctor.js dev token --sub alice --groups eng)
  2. a chat completion through Proctor:
       curl -s ${state.url}/chat/completions -H "authorization: Bearer $TOKEN" \\
         -H 'content-type: application/json' \\
         -d '{"model":"echo-1","messages":[{"role":"user","content":"hello"}]}'
     the same with the OpenAI SDK: new OpenAI({ baseURL: '${state.url}', apiKey: TOKEN })
  3. a prompt with a US SSN (e.g. 219-09-9999) or an AWS key is refused (403) and recorded.
  4. stop with Ctrl-C, then verify the ledger (PGlite allows one process at a time):
       ./bin/proctor.js verify --pglite ${dataDir}/pglite --trust ${state.public_key_file}
${line}
`;
}
