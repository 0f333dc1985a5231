#!/usr/bin/env node
/**
 * fsm-controller entry point. The first argument selects a subcommand
 * (`serve-xds`, `validate`, `config`, `error-info`); without one, the
 * controller runs. Each subcommand lives in ./commands/<name>.ts and exports
 * `run(argv): Promise<number>` returning the exit code; each answers
 * `--help`; the controller (so `fsm-controller`) also answers `--version`.
 */
const SUBCOMMANDS = new Set(['serve-xds', 'validate', 'config', 'error-info']);

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  const name = first !== undefined && SUBCOMMANDS.has(first) ? first : 'controller';
  const rest = name === 'controller' ? argv : argv.slice(1);
  const mod = (await import(`./commands/${name}.js`)) as { run(argv: string[]): Promise<number> };
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`fsm-controller: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
