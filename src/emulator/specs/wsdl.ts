import { invalidField } from '../errors';
import { attribute, child, children, parseXml, rootElement, text, unprefixed } from './xml';
import { operationName, type ImportedApi, type ImportedOperation, type ImportOptions, type Json } from './types';

/**
 * WSDL 1.1 as APIM imports it, for the service and endpoint (port) `wsdlSelector` names (the first ones without it).
 * SOAP pass-through (`apiType: soap`): one POST operation per binding operation at `/?soapAction={action}`, request
 * and response typed by the message elements. SOAP-to-REST (`http`): one POST `/{Operation}` per operation with the
 * policy APIM generates (a liquid template building the SOAP envelope from the JSON body, the answer turned into
 * JSON). Both keep the document's XML schemas as an API schema and the endpoint's address as the service URL.
 */

export const XSD_SCHEMA_TYPE = 'application/vnd.ms-azure-apim.xsd+xml';

interface WsdlOperation {
  name: string;
  action: string;
  documentation?: string;
  inputElement?: string;
  outputElement?: string;
}

/** The raw text of every `<xs:schema>` under `<types>`, as the document wrote it (namespaces declared above it added). */
function schemaTexts(document: string): string[] {
  const types = /<(?:[\w-]+:)?types\b[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?types>/.exec(document);
  if (!types) return [];
  const rootNamespaces = [...(/<(?:[\w-]+:)?definitions\b([^>]*)>/.exec(document)?.[1] ?? '').matchAll(/\s(xmlns(?::[\w-]+)?)="([^"]*)"/g)];
  return [...types[1].matchAll(/<([\w-]+:)?schema\b([^>]*)>[\s\S]*?<\/\1schema>|<([\w-]+:)?schema\b[^>]*\/>/g)].map(([schema, , attributes = '']) => {
    const missing = rootNamespaces.filter(([, name]) => !attributes.includes(`${name}=`)).map(([, name, value]) => ` ${name}="${value}"`);
    return missing.length ? schema.replace(/^<([\w-]+:)?schema\b/, (open) => `${open}${missing.join('')}`) : schema;
  });
}

/** The child elements of a schema element (`<s:element name="ZIP" />` under its sequence): the JSON body's fields. */
function elementFields(schemas: Json[], elementName: string | undefined): string[] {
  if (!elementName) return [];
  for (const schema of schemas) {
    const element = children(schema, 'element').find((e) => attribute(e, 'name') === elementName);
    if (!element) continue;
    const sequence = child(child(element, 'complexType'), 'sequence');
    return children(sequence, 'element').map((e) => attribute(e, 'name')).filter((n): n is string => Boolean(n));
  }
  return [];
}

function pick<T extends Json>(items: T[], name: string | undefined, what: string): T {
  const found = name === undefined ? items[0] : items.find((item) => attribute(item, 'name') === name);
  if (!found) throw invalidField('wsdlSelector', name === undefined ? `The WSDL document has no ${what}.` : `The WSDL document has no ${what} '${name}'.`);
  return found;
}

function soapToRestPolicy(operation: WsdlOperation, namespace: string, fields: string[], soap12: boolean): string {
  const envelope = soap12 ? 'http://www.w3.org/2003/05/soap-envelope' : 'http://schemas.xmlsoap.org/soap/envelope/';
  const element = operation.inputElement ?? operation.name;
  const body = fields.map((field) => `<${field}>{{body.${element}.${field}}}</${field}>`).join('');
  return [
    '<policies>',
    '<inbound>',
    '<base />',
    `<set-header name="SOAPAction" exists-action="override"><value>"${operation.action}"</value></set-header>`,
    `<set-body template="liquid"><soap:Envelope xmlns:soap="${envelope}"><soap:Body><${element} xmlns="${namespace}">${body}</${element}></soap:Body></soap:Envelope></set-body>`,
    `<set-header name="Content-Type" exists-action="override"><value>${soap12 ? 'application/soap+xml' : 'text/xml'}</value></set-header>`,
    '</inbound>',
    '<backend><base /></backend>',
    '<outbound><base /><xml-to-json kind="direct" apply="always" consider-accept-header="false" /></outbound>',
    '<on-error><base /></on-error>',
    '</policies>',
  ].join('');
}

export function importWsdl(document: string, options: ImportOptions, schemaId: string): ImportedApi {
  const definitions = rootElement(parseXml(document, 'WSDL document'), 'definitions', 'a WSDL 1.1 document');
  const namespace = attribute(definitions, 'targetNamespace') ?? '';
  const service = pick(children(definitions, 'service'), options.wsdlSelector?.wsdlServiceName, 'service');
  const port = pick(children(service, 'port'), options.wsdlSelector?.wsdlEndpointName, 'endpoint');
  const address = child(port, 'address');
  const soap12 = Object.keys(port).some((key) => /^[\w-]+:address$/.test(key) && document.includes(`xmlns:${key.split(':')[0]}="http://schemas.xmlsoap.org/wsdl/soap12/"`));
  const binding = pick(children(definitions, 'binding'), unprefixed(attribute(port, 'binding')), 'binding');
  const portType = pick(children(definitions, 'portType'), unprefixed(attribute(binding, 'type')), 'port type');
  const messages = children(definitions, 'message');
  const messageElement = (qualified: string | undefined) => unprefixed(attribute(child(messages.find((m) => attribute(m, 'name') === unprefixed(qualified)), 'part'), 'element'));
  const operations: WsdlOperation[] = children(binding, 'operation').map((bound) => {
    const name = attribute(bound, 'name') as string;
    const abstract = children(portType, 'operation').find((o) => attribute(o, 'name') === name);
    return {
      name,
      action: attribute(child(bound, 'operation'), 'soapAction') ?? `${namespace.replace(/\/?$/, '/')}${name}`,
      documentation: text(child(abstract, 'documentation')),
      inputElement: messageElement(attribute(child(abstract, 'input'), 'message')),
      outputElement: messageElement(attribute(child(abstract, 'output'), 'message')),
    };
  });
  const xsd = schemaTexts(document);
  const schemas = children(child(definitions, 'types'), 'schema');
  const passThrough = options.apiType === 'soap';
  const contentType = passThrough ? (soap12 ? 'application/soap+xml' : 'text/xml') : 'application/json';
  const typed = (element: string | undefined) => [{ contentType, ...(element && xsd.length ? { schemaId, typeName: element } : {}) }];
  const imported: ImportedOperation[] = operations.map((operation) => ({
    name: operationName(operation.name, 'post', `/${operation.name}`),
    properties: {
      displayName: operation.name,
      method: 'POST',
      urlTemplate: passThrough ? `/?soapAction=${operation.action}` : `/${operation.name}`,
      templateParameters: [],
      description: operation.documentation ?? '',
      request: { queryParameters: [], headers: [], representations: typed(operation.inputElement) },
      responses: [{ statusCode: 200, description: '', representations: typed(operation.outputElement), headers: [] }],
    },
    ...(passThrough ? {} : { policy: soapToRestPolicy(operation, namespace, elementFields(schemas, operation.inputElement), soap12) }),
  }));
  const location = attribute(address, 'location');
  return {
    displayName: attribute(service, 'name'),
    description: text(child(service, 'documentation')) ?? text(child(definitions, 'documentation')),
    serviceUrl: location,
    type: passThrough ? 'soap' : 'http',
    operations: imported,
    // One schema per `<xs:schema>` (the first is the one the operations' representations name).
    schemas: xsd.map((value) => ({ contentType: XSD_SCHEMA_TYPE, document: { value } })),
    specification: { kind: 'wsdl', text: document },
  };
}
