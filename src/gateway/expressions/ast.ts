/** The syntax tree of a policy expression. Every node keeps `at`, the offset of its first character in the text. */

export interface TypeName {
  /** As written, dotted: "string", "JObject", "System.Text.Encoding". */
  name: string;
  args: TypeName[];
  /** Array rank count: `string[]` → 1, `int[][]` → 2. */
  arrays: number;
  nullable: boolean;
  at: number;
}

export interface Argument {
  value: Expr;
  /** `out` / `ref` argument (the value is then an assignable expression or an `out var x` declaration). */
  modifier?: 'out' | 'ref';
  /** `out var x` / `out string x`: declares `x`. */
  declares?: { name: string; type?: TypeName };
  /** A named argument (`preserveContent: true`). */
  name?: string;
}

export type InterpolationPart = string | { value: Expr; alignment?: Expr; format?: string };

export type Expr =
  | { kind: 'literal'; value: unknown; type: 'string' | 'char' | 'int' | 'long' | 'double' | 'float' | 'decimal' | 'bool' | 'null'; at: number }
  | { kind: 'name'; name: string; typeArgs?: TypeName[]; at: number }
  | { kind: 'member'; target: Expr; name: string; typeArgs?: TypeName[]; conditional: boolean; at: number }
  | { kind: 'predefined'; type: TypeName; at: number }
  | { kind: 'call'; callee: Expr; args: Argument[]; at: number }
  | { kind: 'index'; target: Expr; args: Expr[]; conditional: boolean; at: number }
  | { kind: 'unary'; op: '!' | '-' | '+' | '~'; operand: Expr; at: number }
  | { kind: 'increment'; op: '++' | '--'; prefix: boolean; target: Expr; at: number }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; at: number }
  | { kind: 'conditional'; test: Expr; then: Expr; otherwise: Expr; at: number }
  | { kind: 'assign'; op: string; target: Expr; value: Expr; at: number }
  | { kind: 'cast'; type: TypeName; operand: Expr; at: number }
  | { kind: 'is'; operand: Expr; type?: TypeName; declares?: string; pattern?: Expr; negated?: boolean; at: number }
  | { kind: 'as'; operand: Expr; type: TypeName; at: number }
  | { kind: 'lambda'; params: string[]; body: Expr | Stmt; at: number }
  | { kind: 'new'; type: TypeName; args: Argument[]; init?: Initializer; at: number }
  | { kind: 'newArray'; type?: TypeName; sizes: Expr[]; items?: Expr[]; at: number }
  | { kind: 'anonymous'; members: { name: string; value: Expr }[]; at: number }
  | { kind: 'interpolated'; parts: InterpolationPart[]; at: number }
  | { kind: 'typeof'; type: TypeName; at: number }
  | { kind: 'default'; type?: TypeName; at: number }
  | { kind: 'nameof'; name: string; at: number }
  | { kind: 'throw'; value: Expr; at: number }
  | { kind: 'checked'; operand: Expr; at: number };

export type Initializer =
  | { kind: 'object'; members: { name: string; value: Expr }[] }
  | { kind: 'collection'; items: Expr[][] }
  | { kind: 'indexed'; items: { key: Expr[]; value: Expr }[] };

export interface Declarator {
  name: string;
  init?: Expr;
  at: number;
}

export type Stmt =
  | { kind: 'block'; body: Stmt[]; at: number }
  | { kind: 'declare'; type?: TypeName; declarators: Declarator[]; at: number }
  | { kind: 'expr'; expr: Expr; at: number }
  | { kind: 'if'; test: Expr; then: Stmt; otherwise?: Stmt; at: number }
  | { kind: 'foreach'; type?: TypeName; name: string; iterable: Expr; body: Stmt; at: number }
  | { kind: 'for'; init: Stmt[]; test?: Expr; update: Expr[]; body: Stmt; at: number }
  | { kind: 'while'; test: Expr; body: Stmt; at: number }
  | { kind: 'do'; body: Stmt; test: Expr; at: number }
  | { kind: 'break'; at: number }
  | { kind: 'continue'; at: number }
  | { kind: 'return'; value?: Expr; at: number }
  | { kind: 'throw'; value?: Expr; at: number }
  | { kind: 'switch'; value: Expr; sections: { labels: (Expr | 'default')[]; body: Stmt[] }[]; at: number }
  | { kind: 'try'; block: Stmt; catches: { type?: TypeName; name?: string; filter?: Expr; block: Stmt }[]; final?: Stmt; at: number }
  | { kind: 'using'; resource: Stmt; body: Stmt; at: number }
  | { kind: 'function'; name: string; params: { name: string; type: TypeName }[]; returns: TypeName; body: Stmt; at: number }
  | { kind: 'empty'; at: number };
