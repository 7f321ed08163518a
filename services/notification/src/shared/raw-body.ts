import type { FastifyInstance } from 'fastify';

/**
 * Lets Fastify hand `mediaTypes` bodies to the controller as raw bytes, up to `limit`: a body over
 * it is answered with `tooLarge()` (a DomainError) as soon as it crosses the limit, without
 * buffering more. Once per media type, so every way the app is built (server, tests) registers it
 * the same (CSV imports, raw bounce mails).
 */
export function addRawBodyParser(
  fastify: FastifyInstance | undefined,
  mediaTypes: readonly string[],
  limit: number,
  tooLarge: () => Error,
): void {
  if (!fastify || fastify.hasContentTypeParser(mediaTypes[0]!)) return;
  fastify.addContentTypeParser([...mediaTypes], (_request, payload, done) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (error: Error | null, body?: Buffer) => {
      if (finished) return;
      finished = true;
      done(error, body);
    };
    payload.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        finish(tooLarge());
        payload.resume();
        return;
      }
      if (!finished) chunks.push(chunk);
    });
    payload.on('end', () => finish(null, Buffer.concat(chunks)));
    payload.on('error', (e: Error) => finish(e));
  });
}
