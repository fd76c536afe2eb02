import type { ApimConnection } from './client';
import { isNotFound, kindAccess, type WriteCondition } from './resources';
import { resourceType, type ResourceRef } from '../resources/types';

/**
 * Writes, as plain functions over a resource reference and ARM `properties`. `ifMatch` is the ETag the caller
 * planned against: the service answers 412 when the resource changed since, and the caller must re-plan.
 */

/** PUT replacing the resource. Without ifMatch the write is unconditional. */
export async function putResource(
  c: ApimConnection,
  ref: ResourceRef,
  properties: Record<string, unknown>,
  ifMatch?: string,
): Promise<void> {
  await kindAccess(ref.kind).put(c, ref.ids, properties, { ifMatch });
}

/**
 * PUT creating the resource, with `If-None-Match: *`: a service that honours it answers 412 when the resource exists
 * (someone created it since planning). Links carry no content to overwrite and go unconditionally.
 */
export async function createResource(c: ApimConnection, ref: ResourceRef, properties: Record<string, unknown>): Promise<void> {
  const condition: WriteCondition = resourceType(ref.kind).link ? {} : { ifNoneMatch: '*' };
  await kindAccess(ref.kind).put(c, ref.ids, properties, condition);
}

/** PATCH only the given properties (kinds whose API has a partial update). */
export async function patchResource(
  c: ApimConnection,
  ref: ResourceRef,
  properties: Record<string, unknown>,
  ifMatch: string,
): Promise<void> {
  const patch = kindAccess(ref.kind).patch;
  if (!patch) throw new Error(`${ref.kind} resources cannot be patched`);
  await patch(c, ref.ids, properties, ifMatch);
}

/** DELETE; a resource that is already gone counts as deleted. `ifMatch` defaults to `*` (any version). */
export async function deleteResource(c: ApimConnection, ref: ResourceRef, ifMatch = '*'): Promise<void> {
  try {
    await kindAccess(ref.kind).remove(c, ref.ids, ifMatch);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** The HTTP status of a failed write (412 = changed since planning), when the service answered. */
export function failureStatus(error: unknown): number | undefined {
  return (error as { statusCode?: number })?.statusCode;
}

interface ArmErrorBody {
  error?: { message?: string; details?: Array<{ message?: string }> };
}

/**
 * What the service said about a failed request: ARM puts the useful part (which element, which line) in the
 * error's details, under a generic message.
 */
export function failureMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const body = (error as { details?: ArmErrorBody })?.details;
  const details = (body?.error?.details ?? []).map((d) => d.message).filter((m): m is string => Boolean(m));
  const text = details.length ? `${message.replace(/[:.]\s*$/, '')}: ${details.join('; ')}` : message;
  const status = failureStatus(error);
  return status ? `${status}: ${text}` : text;
}
