import { type TSchema, Type } from '@sinclair/typebox';
import { ErrorBody } from './errors.js';

/** Opaque id as it appears in paths and bodies. */
export const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' });

/** A short human text: trimmed length checks happen in handlers where blanks matter. */
export const ShortText = (maxLength: number) => Type.String({ minLength: 1, maxLength });

/** ISO-8601 timestamp string. */
export const Timestamp = Type.String({ format: 'date-time' });

/** Error responses shared by authenticated routes, for the OpenAPI document. */
export const authErrors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
} as const;

/** Builds the path-params schema `{ [name]: Id }`. */
export function idParams<const K extends string>(...names: K[]) {
  const props = Object.fromEntries(names.map((n) => [n, Id])) as Record<K, typeof Id>;
  return Type.Object(props);
}

/** Marks a schema nullable the way JSON Schema 2019 / OpenAPI 3.1 readers expect. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
