/**
 * set-body (Learn:set-body-policy): a literal text, a policy expression's result, or a Liquid template
 * (`template="liquid"`, rendered with liquidjs over APIM's Liquid context: `body` — the JSON of the message being
 * changed —, `context.Request`, `context.Response`, `context.Variables`, …). APIM's Liquid is DotLiquid with its
 * filters PascalCase-named (`Upcase`); both spellings work here.
 */
import { Liquid, type Template } from 'liquidjs';
import { bodyText, messageOf, type Call } from '../call';
import type { PolicyModule } from '../compiler';
import { PolicyConfigurationError, UnsupportedError } from '../errors';
import { toPolicyString, type NameValues } from '../expressions';
import { formatUrl } from '../url';
import { CsDateTime, formatDateTime, parseDateTime } from '../expressions/runtime/datetime';

const liquid = new Liquid({ ownPropertyOnly: true });
for (const name of Object.keys(liquid.filters)) {
  const pascal = name.replace(/(^|_)([a-z])/g, (_all, _sep: string, letter: string) => letter.toUpperCase());
  if (pascal !== name) liquid.registerFilter(pascal, liquid.filters[name]);
}

/** Where the render scope keeps the gateway clock's time, under a name no template can spell. */
const NOW = 'apiops:now';

/**
 * DotLiquid's Date: a .NET format string (`yyyy-MM-dd`, not strftime's `%Y`), "now" / "today" the gateway clock, a
 * string parsed as DateTime.Parse does (one that does not parse is left as it is).
 */
function dotLiquidDate(this: { context: { environments: unknown } }, input: unknown, format?: string): unknown {
  if (input === null || input === undefined) return input;
  const now = (this.context.environments as Record<string, Date>)[NOW];
  let date: CsDateTime;
  if (input instanceof Date) date = CsDateTime.fromDate(input);
  else if (typeof input === 'string' && /^\s*(now|today)\s*$/i.test(input)) {
    const ms = now.getTime();
    date = CsDateTime.fromDate(new Date(/today/i.test(input) ? ms - (ms % 86_400_000) : ms));
  } else if (typeof input === 'string') {
    try {
      date = parseDateTime(input);
    } catch {
      return input;
    }
  } else return input;
  return format === undefined || !format.trim() ? formatDateTime(date) : formatDateTime(date, format);
}
liquid.registerFilter('Date', dotLiquidDate);
liquid.registerFilter('date', dotLiquidDate);

/**
 * APIM's `{% JSONArrayFor item in list %}…{% endJSONArrayFor %}`: a for loop that puts a comma between the items it
 * writes, as a liquidjs for loop.
 */
function withJsonArrayFor(template: string): string {
  return template
    .replace(/\{%-?\s*JSONArrayFor\s+([\s\S]*?)-?%\}/g, '{% for $1 %}{% unless forloop.first %},{% endunless %}')
    .replace(/\{%-?\s*endJSONArrayFor\s*-?%\}/g, '{% endfor %}');
}

const setBody: PolicyModule = (element) => {
  const template = element.literal('template');
  const xsiNil = element.literal('xsi-nil');
  if (xsiNil !== undefined && xsiNil !== 'blank' && xsiNil !== 'null') throw new PolicyConfigurationError(`xsi-nil must be blank or null, got '${xsiNil}'`, element.pos);
  element.literal('parse-date');
  const section = element.site.section;
  if (template !== undefined) {
    if (template.toLowerCase() !== 'liquid') throw new PolicyConfigurationError(`template must be liquid, got '${template}'`, element.pos);
    const { text, pos } = element.rawText();
    let parsed: Template[];
    try {
      parsed = liquid.parse(withJsonArrayFor(text));
    } catch (error) {
      throw new PolicyConfigurationError(`invalid Liquid template: ${(error as Error).message}`, pos);
    }
    return (call) => {
      const { message } = messageOf(call, section);
      const scope = { body: jsonBody(bodyText(message.body)), context: liquidContext(call), [NOW]: call.now() };
      let rendered: string;
      try {
        rendered = String(liquid.renderSync(parsed, scope));
      } catch (error) {
        throw new UnsupportedError(`Liquid construct (${(error as Error).message.split('\n')[0]})`, pos);
      }
      message.body = { content: rendered, consumed: false };
    };
  }
  const value = element.text();
  return (call) => {
    const { message } = messageOf(call, section);
    const result = value.evaluate(call);
    message.body = { content: result instanceof Uint8Array ? Buffer.from(result) : toPolicyString(result), consumed: false };
  };
};

function jsonBody(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function headerObject(headers: NameValues | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of headers ?? []) out[name] = values.join(',');
  return out;
}

/** The objects APIM's Liquid templates see under `context`. */
function liquidContext(call: Call): Record<string, unknown> {
  const { request, response } = call;
  return {
    Request: {
      Url: formatUrl(request.url),
      OriginalUrl: formatUrl(request.originalUrl),
      Method: request.method,
      OriginalMethod: request.method,
      IpAddress: request.ipAddress,
      MatchedParameters: Object.fromEntries(request.matchedParameters),
      HasBody: request.body !== undefined,
      Headers: headerObject(request.headers),
    },
    Response: response ? { StatusCode: response.statusCode, StatusReason: response.statusReason, Headers: headerObject(response.headers) } : undefined,
    Variables: Object.fromEntries([...call.variables].map(([name, value]) => [name, typeof value === 'object' && value !== null ? toPolicyString(value) : value])),
    Api: { Id: call.api.id, Name: call.api.name, Path: call.api.path },
    Operation: { Id: call.operation.id, Name: call.operation.name, Method: call.operation.method, UrlTemplate: call.operation.urlTemplate },
    Product: call.product ? { Id: call.product.id, Name: call.product.name } : undefined,
    Subscription: call.subscription ? { Id: call.subscription.id, Name: call.subscription.name } : undefined,
    RequestId: call.requestId,
  };
}

export const bodyPolicies: Record<string, PolicyModule> = { 'set-body': setBody };
