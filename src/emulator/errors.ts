/** ARM error responses: `{ error: { code, message, details } }` with Azure's codes and HTTP statuses. */

export interface ArmErrorDetail {
  code: string;
  target?: string;
  message: string;
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ArmErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ArmError';
  }

  body(): { error: { code: string; message: string; details: ArmErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export function notFound(label: string): ArmError {
  return new ArmError(404, 'ResourceNotFound', `${label} not found.`);
}

/** APIM's shape for field validation: a summary message with one detail per offending field. */
export function validationError(details: ArmErrorDetail[]): ArmError {
  return new ArmError(400, 'ValidationError', 'One or more fields contain incorrect values:', details);
}

export function invalidField(target: string, message: string): ArmError {
  return validationError([{ code: 'ValidationError', target, message }]);
}

export function conflict(message: string): ArmError {
  return new ArmError(409, 'Conflict', message);
}

export function badRequest(code: string, message: string): ArmError {
  return new ArmError(400, code, message);
}
