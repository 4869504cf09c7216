import { runVigil } from '../support/cli';

/** The command line's help and usage errors, in-process: nothing here opens a store or writes a file. */

describe('vigil --help', () => {
  it.each([
    ['vigil', 'vigil <command> [flags]'],
    ['vigil backtest', 'vigil backtest [options]'],
    ['vigil simulate', 'vigil simulate [options]'],
    ['vigil apps', 'vigil apps <create NAME | list>'],
    ['vigil apps create', 'vigil apps create [options] <NAME>'],
    ['vigil apps list', 'vigil apps list [options]'],
  ])('when `%s --help` runs, then it prints usage, flags, examples and exit codes to stdout and exits 0', async (command, usage) => {
    const run = await runVigil([...command.split(' ').slice(1), '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: ${usage}`);
    expect(run.stdout).toContain('-h, --help');
    expect(run.stdout).toContain('Examples:\n  vigil ');
    expect(run.stdout).toContain('Exit codes:\n  0  done\n  1  failed');
    expect(run.stdout).toContain('2  usage error');
    expect(run.stderr).toBe('');
  });

  it('when `vigil help simulate` runs, then it prints the same help as `vigil simulate --help`', async () => {
    const [viaHelp, viaFlag] = await Promise.all([runVigil(['help', 'simulate']), runVigil(['simulate', '--help'])]);
    expect(viaHelp).toEqual(viaFlag);
  });

  it('when the whole tool is asked for help, then every command is listed', async () => {
    const { stdout } = await runVigil(['--help']);
    for (const command of ['backtest', 'simulate', 'apps']) expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});

describe('vigil usage errors', () => {
  it.each([
    [[], 'Usage: vigil <command> [flags]'],
    [['nonsense'], "error: unknown command 'nonsense'"],
    [['backtest'], "error: required option '--input <file>' not specified"],
    [['backtest', '--input', 'x.ndjson', '--speed', '3'], "error: unknown option '--speed'"],
    [['backtest', '--input'], "error: option '--input <file>' argument missing"],
    [['simulate'], 'error: --scenario NAME (or --list) is required'],
    [['simulate', '--scenario', 'nope'], "argument 'nope' is invalid. Allowed choices are seed-incident, backend-outage, quiet-days"],
    [['simulate', '--scenario', 'quiet-days', '--seed', '-1'], "option '--seed <n>' argument '-1' is invalid. expected an integer"],
    [['simulate', '--scenario', 'quiet-days', '--seed', '1.5'], 'expected an integer from 0 to 4294967295'],
    [['apps'], 'Usage: vigil apps <create NAME | list>'],
    [['apps', 'create'], "error: missing required argument 'NAME'"],
    [['apps', 'create', 'bad|name'], 'letters, digits, space, . _ - (starting with a letter or digit)'],
    [['apps', 'create', 'a', 'b'], 'error: too many arguments'],
    [['apps', 'delete', 'x'], "error: unknown command 'delete'"],
  ])('when `vigil %j` runs, then it explains on stderr and exits 2', async (args: string[], message: string) => {
    const run = await runVigil(args);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(run.stderr).toContain(message);
    expect(run.stderr).toMatch(/--help/);
  });
});

describe('vigil simulate --list and --labels', () => {
  it('when --list runs, then it names every scenario with what it expects, at least the three examples', async () => {
    const run = await runVigil(['simulate', '--list']);
    expect(run.code).toBe(0);
    for (const name of ['seed-incident', 'backend-outage', 'quiet-days']) expect(run.stdout).toMatch(new RegExp(`^${name}  \\(`, 'm'));
    expect(run.stdout).toContain('expects: error_rate 2023-04-12 14:00–17:30 UTC, appVersion 5.2.0');
    expect(run.stdout).toContain('expects: error_rate 2024-06-12 11:30–12:00 UTC, no single slice');
    expect(run.stdout).toMatch(/^quiet-days [\s\S]*?expects: nothing$/m);
  });

  it('when --labels runs, then it prints the expected incidents as JSON and no traffic', async () => {
    const run = await runVigil(['simulate', '--scenario', 'backend-outage', '--labels']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      scenario: 'backend-outage',
      about: expect.stringContaining('40%'),
      incidents: [{ onset: '2024-06-12T11:30:00.000Z', end: '2024-06-12T12:00:00.000Z', kind: 'error_rate', cause: null }],
    });
  });
});
