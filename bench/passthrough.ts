// The side-by-side bench's floor: a bare fastify + undici passthrough, nothing inspected, recorded or limited. POST
// /v1/* goes to PASSTHROUGH_UPSTREAM (a base URL with /v1) on a keep-alive pool; the answer, streamed or not, is piped
// back with its status and content type. Prints its base URL (with /v1) on the first line of stdout; loopback only.
import Fastify from 'fastify';
import { Pool } from 'undici';

const upstream = new URL(process.env.PASSTHROUGH_UPSTREAM ?? 'http://127.0.0.1:1/v1');
const pool = new Pool(upstream.origin, { connections: 256 });
const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

app.post('/v1/*', async (req, reply) => {
  const headers: Record<string, string> = { 'content-type': req.headers['content-type'] ?? 'application/json' };
  if (req.headers.authorization) headers.authorization = req.headers.authorization;
  const res = await pool.request({ method: 'POST', path: req.url, headers, body: req.body as Buffer });
  const type = res.headers['content-type'];
  reply.code(res.statusCode);
  if (typeof type === 'string') reply.header('content-type', type);
  return reply.send(res.body);
});

const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${address}/v1\n`);
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.close())
    .finally(() => process.exit(0));
});
