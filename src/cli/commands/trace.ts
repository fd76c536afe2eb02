import { ONE_VALUE, type ApiopsCommand } from '../command';

export interface TraceArgs {
  env?: string;
  method: string;
  path: string;
  header?: string[];
  subscription?: string;
  token?: string;
  body?: string;
  json: boolean;
}

/** `apiops trace`: one request through the in-process gateway, its response and its trace (docs/trace.md). */
export const traceCommand: ApiopsCommand<TraceArgs> = {
  name: 'trace <method> <path>',
  describe: 'Send one request through an in-process gateway and print its response and its policy trace',
  errorExitCode: 2,
  exitCodes: '0 the gateway answered (whatever the status); 1 a policy could not run or used what the gateway cannot run; 2 could not run.',
  builder: (y) =>
    y
      .positional('method', { type: 'string', describe: 'HTTP method (GET, POST…)' })
      .positional('path', { type: 'string', describe: 'Path and query as a caller sends it: /orders/v1/orders?top=5' })
      .option('env', { type: 'string', ...ONE_VALUE, describe: 'Environment to render (default: the first)' })
      .option('header', { alias: 'H', type: 'string', array: true, requiresArg: true, describe: 'A request header, "Name: value" (repeatable)' })
      .option('subscription', {
        type: 'string',
        ...ONE_VALUE,
        describe: "Call with a subscription key: of this subscription (subscriptions/<id>.yaml), else of a new subscription of this product",
      })
      .option('token', { type: 'string', ...ONE_VALUE, describe: 'Present a bearer token: entra (Entra ID v2 for values.apiAudience), entra-v1, or the token itself' })
      .option('body', { type: 'string', ...ONE_VALUE, describe: 'Send this file as the request body (JSON files as application/json)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the trace document (formatVersion 1) instead of the response and the compact trace' })
      .example('$0 trace GET /orders/v1/orders --subscription fabrikam-developer --token entra', 'What the effective policy does with a developer call')
      .example('$0 trace POST /orders/v1/orders -H "Idempotency-Key: o-1" --subscription fabrikam-production --token entra --body order.json', 'An order, with a body'),
  load: () => import('../actions/trace'),
};
