/** The part of eslint-scope (eslint's own scope analyser) the scope tests compare with. */
declare module "eslint-scope" {
  interface Variable {
    name: string;
    scope: Scope;
  }
  interface Reference {
    identifier: { name: string };
    resolved: Variable | null;
  }
  interface Scope {
    type: string;
    block: { type: string; start: number; end: number };
    upper: Scope | null;
    through: Reference[];
    childScopes: Scope[];
    set: Map<string, Variable>;
  }
  interface ScopeManager {
    scopes: Scope[];
  }
  export function analyze(
    program: unknown,
    options: { ecmaVersion: number; sourceType: "module" | "script"; nodejsScope?: boolean },
  ): ScopeManager;
}
