/**
 * Behavioural test files (tests/**\/*.test.yaml) as the runner uses them: every template rendered for the chosen
 * environment, shorthands kept as written (the runner resolves them against the gateway), each part able to say
 * where in its file it was written.
 */
import type { SourcePos } from '../diagnostics';
import type { YamlPath } from '../repo/model';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type Matcher =
  | { equals: Json }
  | { matches: string }
  | { contains: string }
  | { present: true }
  | { absent: true };

export type CallerSpec =
  | 'none'
  | { product?: string; api?: string; allApis?: true; subscription?: string; key?: string; name?: string; state?: string; in?: 'header' | 'query' };

export type TokenSpec =
  | 'none'
  | 'entra'
  | 'entra-v1'
  | { like?: 'entra' | 'entra-v1'; issuer?: string; audience?: string | string[]; claims?: Record<string, Json>; expiresIn?: number | string; trusted?: boolean; raw?: string; header?: string };

export interface RequestSpec {
  method: string;
  /** Path with the query string, as written. */
  path: string;
  headers: Record<string, string>;
  body?: Json;
}

export interface BodyExpectation {
  equals?: Json;
  contains?: string;
  json?: Record<string, Json | Matcher>;
}

export interface Expectations {
  status?: number | number[];
  headers?: Record<string, Json | Matcher>;
  body?: BodyExpectation;
  backend?: {
    called?: boolean;
    calls?: number;
    method?: Json | Matcher;
    url?: Json | Matcher;
    headers?: Record<string, Json | Matcher>;
    token?: 'absent' | Record<string, Json | Matcher>;
    body?: BodyExpectation;
  };
}

export interface TestCase {
  name: string;
  /** Where the case starts (its `- name:` item). */
  pos: SourcePos;
  fresh: boolean;
  afterSeconds: number;
  caller: CallerSpec;
  token: TokenSpec;
  request: RequestSpec;
  repeat: number;
  backendResponse?: { status?: number; headers?: Record<string, string>; body?: Json };
  expect: Expectations;
  /** Position of a part of the case: `['expect', 'status']`. */
  locate(path: YamlPath): SourcePos;
}

export interface TestFile {
  /** Relative to the repository root (forward slashes). */
  file: string;
  cases: TestCase[];
}
