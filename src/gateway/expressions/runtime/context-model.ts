import type { ResponseState } from '../context';

/** The C# `IResponse` view over a response. */
export class ResponseView {
  constructor(readonly state: ResponseState) {}
}

export function responseView(state: ResponseState): ResponseView {
  return new ResponseView(state);
}
