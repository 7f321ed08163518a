/**
 * The optional filters of a read query as `$n` placeholders: each `add` binds one value to the
 * `?` of its condition, in order, so a filter left out shifts no placeholder of the others.
 */
export class SqlConditions {
  readonly params: unknown[];
  private readonly conditions: string[] = [];

  /** `params` already bound (e.g. `$1`, `$2` used by the SELECT list). */
  constructor(...params: unknown[]) {
    this.params = params;
  }

  add(condition: string, value: unknown): this {
    this.params.push(value);
    this.conditions.push(condition.replace('?', `$${this.params.length}`));
    return this;
  }

  /** Adds the condition only when the value is given. */
  optional(condition: string, value: unknown): this {
    return value === undefined ? this : this.add(condition, value);
  }

  /** One more parameter (say the LIMIT); answers its placeholder. */
  bind(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  get where(): string {
    return this.conditions.length > 0 ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}
