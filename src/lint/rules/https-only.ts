import { elementsNamed, yamlPos } from '../checks';
import { ruleDocsPath, type Rule } from '../context';
import { attributeValue, childElements, textContent } from '../../policy/query';

const PLAIN_HTTP = /^\s*http:\/\//i;
const INSECURE_PROTOCOLS = new Set(['http', 'ws']);

export const httpsOnly: Rule = {
  id: 'https-only',
  defaultSeverity: 'error',
  description: 'An API accepting http (or ws) from callers, or a backend reached over plain http: keys, tokens and payloads cross the network unencrypted.',
  docsUrl: ruleDocsPath('https-only'),
  check(ctx) {
    const { model } = ctx.rendered;
    for (const api of model.apis) {
      const definition = api.definition.data;
      if (!definition) continue;
      (definition.protocols ?? []).forEach((protocol, index) => {
        if (INSECURE_PROTOCOLS.has(protocol)) {
          ctx.report({ pos: yamlPos(api.definition, 'protocols', index), message: `API ${api.id} accepts ${protocol}; allow only ${protocol}s` });
        }
      });
      if (definition.serviceUrl && PLAIN_HTTP.test(definition.serviceUrl)) {
        ctx.report({ pos: yamlPos(api.definition, 'serviceUrl'), message: `API ${api.id} forwards to ${definition.serviceUrl} over plain http; use https` });
      }
    }
    for (const backend of model.backends) {
      const url = backend.definition.data?.url;
      if (url && PLAIN_HTTP.test(url)) {
        ctx.report({ pos: yamlPos(backend.definition, 'url'), message: `backend ${backend.id} is reached at ${url} over plain http; use https` });
      }
    }
    for (const { element } of elementsNamed(ctx, 'set-backend-service')) {
      const url = attributeValue(element, 'base-url');
      if (url && PLAIN_HTTP.test(url)) ctx.report({ pos: element.pos, message: `set-backend-service sends requests to ${url} over plain http; use https` });
    }
    for (const policy of ['send-request', 'send-one-way-request']) {
      for (const { element } of elementsNamed(ctx, policy)) {
        for (const setUrl of childElements(element, 'set-url')) {
          const url = textContent(setUrl);
          if (PLAIN_HTTP.test(url)) ctx.report({ pos: setUrl.pos, message: `${policy} calls ${url.trim()} over plain http; use https` });
        }
      }
    }
  },
};
