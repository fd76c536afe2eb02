import { invalidField } from '../errors';
import { child, parseXml, rootElement } from './xml';
import type { ImportedApi } from './types';

/**
 * OData ($metadata, CSDL) and gRPC (.proto) documents: checked for what they are and kept with the API, which holds no
 * operations of its own (the emulator does not derive entity sets or RPC methods from them).
 */

export function importOdata(document: string): ImportedApi {
  const edmx = rootElement(parseXml(document, 'OData metadata document'), 'Edmx', 'an OData metadata (CSDL) document');
  if (!child(edmx, 'DataServices')) throw invalidField('value', 'The OData metadata document has no <edmx:DataServices>.');
  return { operations: [], schemas: [], specification: { kind: 'odata', text: document }, type: 'odata' };
}

export function importGrpc(document: string): ImportedApi {
  if (!/\bservice\s+[_A-Za-z][_0-9A-Za-z]*\s*\{/.test(document)) throw invalidField('value', 'The protobuf document defines no service.');
  return { operations: [], schemas: [], specification: { kind: 'grpc', text: document }, type: 'grpc' };
}
