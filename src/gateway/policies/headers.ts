/** set-header and set-query-parameter (Learn:set-header-policy, set-query-parameter-policy). */
import { messageOf } from '../call';
import type { PolicyModule } from '../compiler';
import { PolicyConfigurationError, UnsupportedError } from '../errors';
import { IMMUTABLE_HEADERS } from '../headers';
import type { NameValues } from '../expressions';
import { asString } from '../values';

type ExistsAction = 'override' | 'skip' | 'append' | 'delete';
const EXISTS_ACTIONS: readonly ExistsAction[] = ['override', 'skip', 'append', 'delete'];

const nameValuePolicy =
  (target: 'header' | 'query'): PolicyModule =>
  (element) => {
    const name = element.required('name');
    const actionText = element.literal('exists-action') ?? 'override';
    if (!EXISTS_ACTIONS.includes(actionText as ExistsAction)) {
      throw new PolicyConfigurationError(`exists-action must be one of ${EXISTS_ACTIONS.join(', ')}, got '${actionText}'`, element.pos);
    }
    const action = actionText as ExistsAction;
    const values = element.children('value').map((v) => v.text());
    const section = element.site.section;
    return (call) => {
      const { kind, message } = messageOf(call, section);
      let names: NameValues;
      if (target === 'header') names = message.headers;
      else if (kind === 'request') names = message.url.query;
      else throw new UnsupportedError('set-query-parameter on a response', element.pos);
      const headerName = asString(name.evaluate(call));
      if (target === 'header' && IMMUTABLE_HEADERS.has(headerName.toLowerCase())) return;
      if (action === 'delete') {
        names.delete(headerName);
        return;
      }
      if (action === 'skip' && names.has(headerName)) return;
      const evaluated = values.map((v) => asString(v.evaluate(call)));
      if (action === 'append' && names.has(headerName)) {
        for (const v of evaluated) names.append(headerName, v);
      } else {
        names.set(headerName, evaluated);
      }
    };
  };

export const headerPolicies: Record<string, PolicyModule> = {
  'set-header': nameValuePolicy('header'),
  'set-query-parameter': nameValuePolicy('query'),
};
