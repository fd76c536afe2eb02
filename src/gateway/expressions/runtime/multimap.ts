/**
 * IReadOnlyDictionary<string, string[]> views (request/response headers, URL query, JWT claims) over a
 * `NameValues`, with APIM's `GetValueOrDefault(name, default)` that comma-joins the values.
 */
import type { NameValues } from '../context';
import { argumentNull, bindClass, csString, defineType, Ref } from './core';
import { ENUMERABLE, KeyValuePair, keyNotFound } from './primitives';

export class MultiMapView {
  constructor(readonly values: NameValues) {}
}

export function multiMapView(values: NameValues): MultiMapView {
  return new MultiMapView(values);
}

function key(value: unknown): string {
  if (value === null || value === undefined) throw argumentNull('key');
  return csString(value);
}

bindClass(
  MultiMapView,
  defineType({
    fullName: 'System.Collections.Generic.IReadOnlyDictionary`2[System.String,System.String[]]',
    names: ['IReadOnlyDictionary', 'IDictionary', 'Dictionary'],
    base: ENUMERABLE,
    iterate: (self: MultiMapView) => [...self.values].map(([name, values]) => new KeyValuePair(name, [...values])),
    index: (self: MultiMapView, [name]) => {
      const values = self.values.get(key(name));
      if (!values) throw keyNotFound(name);
      return [...values];
    },
    props: {
      Count: (self: MultiMapView) => self.values.size,
      Keys: (self: MultiMapView) => [...self.values].map(([name]) => name),
      Values: (self: MultiMapView) => [...self.values].map(([, values]) => [...values]),
    },
    methods: {
      GetValueOrDefault: (self: MultiMapView, [name, fallback]) => {
        const values = self.values.get(key(name));
        // APIM's extension joins the values; with a string[] default it is .NET's own, returning the array.
        if (Array.isArray(fallback)) return values ? [...values] : fallback;
        return values ? values.join(',') : fallback === undefined ? null : fallback;
      },
      ContainsKey: (self: MultiMapView, [name]) => self.values.has(key(name)),
      TryGetValue: (self: MultiMapView, [name, out]) => {
        const values = self.values.get(key(name));
        (out as Ref).set(values ? [...values] : null);
        return values !== undefined;
      },
    },
  }),
);
