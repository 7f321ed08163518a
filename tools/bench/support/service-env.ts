/**
 * `--service-env <service>:KEY=VALUE` pairs (repeatable) of a bench, as each service's extra
 * environment: settings compared in paired runs without editing the code.
 */
export function serviceEnvOf(pairs: readonly string[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const pair of pairs) {
    const match = /^([a-z-]+):([A-Z0-9_]+)=(.*)$/.exec(pair);
    if (!match) throw new Error(`--service-env wants <service>:KEY=VALUE, got ${pair}`);
    (out[match[1]!] ??= {})[match[2]!] = match[3]!;
  }
  return out;
}
