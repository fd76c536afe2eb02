import { KnownExportApi, KnownExportFormat, type ApimConnection } from './client';
import { backoffDelayMs } from './retry';

/**
 * API specification export (ARM `apis/{apiId}?export=true`). ARM only exports to a short-lived blob link, so an
 * export costs two requests: the export call through the SDK, then a plain download of the link. The download
 * deliberately bypasses the SDK pipeline, which signs every request with the ARM bearer token (never to be sent
 * to a storage SAS URL); it still takes a slot of the connection's concurrency limit and is counted.
 */

export type ExportedSpecification =
  | { ok: true; document: Record<string, unknown> }
  | { ok: false; reason: string };

const DOWNLOAD_ATTEMPTS = 4;
const DOWNLOAD_BACKOFF = { retryDelayInMs: 100, maxRetryDelayInMs: 2_000 };

function countGet(connection: ApimConnection): void {
  connection.requests.GET += 1;
  connection.requests.total += 1;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function download(connection: ApimConnection, link: string): Promise<string> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= DOWNLOAD_ATTEMPTS; attempt++) {
    countGet(connection);
    try {
      const response = await connection.limiter.run(async () => {
        const answer = await fetch(link);
        return { ok: answer.ok, status: answer.status, body: await answer.text() };
      });
      if (response.ok) return response.body;
      lastError = new Error(`download of the exported document answered ${response.status}`);
      if (response.status < 500 && response.status !== 429) break;
    } catch (error) {
      lastError = error;
    }
    if (attempt < DOWNLOAD_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt - 1, DOWNLOAD_BACKOFF)));
  }
  throw lastError;
}

/** An export's document text, or why there is none. */
export type ExportedText = { ok: true; text: string } | { ok: false; reason: string };

/** Exports an API in one of ARM's export formats and downloads the document. */
async function exportText(connection: ApimConnection, apiId: string, format: string): Promise<ExportedText> {
  const { client, scope } = connection;
  let link: string | undefined;
  try {
    const result = await client.apiExport.get(scope.resourceGroup, scope.serviceName, apiId, format, KnownExportApi.True);
    link = result.value?.link;
  } catch (error) {
    return { ok: false, reason: `export refused: ${errorMessage(error)}` };
  }
  if (!link) return { ok: false, reason: 'export returned no document link' };
  try {
    return { ok: true, text: await download(connection, link) };
  } catch (error) {
    return { ok: false, reason: errorMessage(error) };
  }
}

/** Exports an API imported from a WSDL or WADL document: the document as the import gave it. */
export function exportXmlSpecification(connection: ApimConnection, apiId: string, kind: 'wsdl' | 'wadl'): Promise<ExportedText> {
  return exportText(connection, apiId, kind === 'wsdl' ? KnownExportFormat.Wsdl : KnownExportFormat.Wadl);
}

/**
 * Exports an API as an OpenAPI 3 JSON document. `ok: false` when the instance cannot export it (APIs of some
 * types, or an endpoint without export); the caller then builds the document from the operations.
 */
export async function exportOpenApi(connection: ApimConnection, apiId: string): Promise<ExportedSpecification> {
  const exported = await exportText(connection, apiId, KnownExportFormat.OpenapiJson);
  if (!exported.ok) return exported;
  try {
    const document: unknown = JSON.parse(exported.text);
    if (document && typeof document === 'object' && !Array.isArray(document) && 'openapi' in document) {
      return { ok: true, document: document as Record<string, unknown> };
    }
    return { ok: false, reason: 'exported document is not OpenAPI 3' };
  } catch (error) {
    return { ok: false, reason: `exported document is not JSON: ${errorMessage(error)}` };
  }
}
