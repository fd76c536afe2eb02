import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An ARM endpoint in front of the emulator that hands out ids the emulator (like APIM) would refuse to store: each
 * entity the emulator holds under an alias is shown under its hostile id, in every response body, and requests that
 * name the hostile id reach the alias. What a compromised or impersonated endpoint could send extract.
 */
export interface RenamingProxy {
  url: string;
  close(): Promise<void>;
}

export async function renamingProxy(target: string, hostileByAlias: Record<string, string>): Promise<RenamingProxy> {
  const renames = Object.entries(hostileByAlias);
  let url = '';
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const requestPath = renames.reduce((rewritten, [alias, hostile]) => rewritten.split(encodeURIComponent(hostile)).join(alias), request.url ?? '/');
      const headers = { ...request.headers, host: new URL(target).host };
      const forwarded = http.request(`${target}${requestPath}`, { method: request.method, headers }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => body.push(chunk));
        answer.on('end', () => {
          const text = renames.reduce(
            (rewritten, [alias, hostile]) => rewritten.split(alias).join(JSON.stringify(hostile).slice(1, -1)),
            Buffer.concat(body).toString('utf8').split(target).join(url),
          );
          const { 'content-length': _length, ...answerHeaders } = answer.headers;
          response.writeHead(answer.statusCode ?? 500, answerHeaders);
          response.end(text);
        });
      });
      forwarded.on('error', () => response.destroy());
      forwarded.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
