#!/usr/bin/env node
/**
 * The `communewatch` command: server, agent, token and demo. Each subcommand lives in its own module;
 * this file only wires commander (errors and exit codes: ./program.ts).
 */
import { Command, InvalidArgumentError } from 'commander';
import { VERSION } from '../common/version.js';
import { AGENT_DESCRIPTION, runProgram, withAgentOptions } from './program.js';
import { reportCommand } from './report-cmd.js';

// Each subcommand is imported only when it runs: the agent on an old commune PC must not load fastify,
// prom-client and the server's store just to probe (tens of MiB of RSS, and a slower start).
const runServerCommand = lazy(() => import('./server-command.js'), 'runServerCommand');
const runAgentCommand = lazy(() => import('./agent-command.js'), 'runAgentCommand');
const runTokenCreate = lazy(() => import('./token-command.js'), 'runTokenCreate');
const runTokenList = lazy(() => import('./token-command.js'), 'runTokenList');
const runTokenRevoke = lazy(() => import('./token-command.js'), 'runTokenRevoke');
const runDemo = lazy(() => import('./demo-command.js'), 'runDemo');
const apiKey = () => import('./api-key-command.js');
const incident = () => import('./incident-command.js');
const calendar = () => import('./calendar-command.js');
const silence = () => import('./silence-command.js');
const dossier = () => import('./dossier-command.js');
const user = () => import('./user-command.js');
const rum = () => import('./rum-command.js');

function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K) {
  return async (...args: M[K] extends (...a: infer A) => unknown ? A : never): Promise<void> => {
    const fn = (await load())[name] as (...a: unknown[]) => Promise<void>;
    await fn(...args);
  };
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer 0-65535');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

const program = new Command('communewatch')
  .description(
    'CommuneWatch: uptime and fault localisation for commune offices\n(Giám sát mạng và dịch vụ công cho bộ phận một cửa cấp xã)',
  )
  .version(VERSION)
  .showHelpAfterError();

program
  .command('server')
  .description('run the central server (ingest, metrics, status page) on an embedded SQLite file')
  .option('--config <file>', 'server YAML config')
  .option('--data <dir>', 'data directory holding communewatch.db (default ./data)')
  .option('--host <host>', 'address to listen on (default 0.0.0.0)')
  .option('--port <port>', 'port to listen on (default 8080; 0 = any free port)', port)
  .option('--check-config', 'validate the config and exit')
  .action(runServerCommand);

withAgentOptions(program.command('agent').description(AGENT_DESCRIPTION)).action(runAgentCommand);

const token = program.command('token').description('manage agent tokens');
token
  .command('create')
  .description("register a commune's agent and print its token (shown once; only a hash is stored)")
  .requiredOption('--commune <code>', 'commune code, e.g. 26734')
  .option('--name <text>', 'agent name (default agent-<commune>)')
  .option('--data <dir>', 'server data directory (default ./data)')
  .option('--config <file>', 'server YAML config (for its dataDir)')
  .action(runTokenCreate);
token
  .command('list')
  .description('list registered agents, their last push and state')
  .option('--data <dir>', 'server data directory (default ./data)')
  .option('--config <file>', 'server YAML config (for its dataDir)')
  .action(runTokenList);
token
  .command('revoke')
  .description("revoke an agent's token (e.g. a lost or replaced PC); its results are kept")
  .requiredOption('--id <n>', 'agent id, from `token list`', positiveInt)
  .option('--data <dir>', 'server data directory (default ./data)')
  .option('--config <file>', 'server YAML config (for its dataDir)')
  .action(runTokenRevoke);

/** --data and --config, for every command that works on the server's database. */
const storeOptions = (c: Command) =>
  c
    .option('--data <dir>', 'server data directory (default ./data)')
    .option('--config <file>', 'server YAML config (for its dataDir, units and time zone)');
const collect = (value: string, previous: string[] = []) => [...previous, value];

const keys = program
  .command('api-key')
  .description('manage API keys for people and systems (roles admin, viewer, vendor)');
storeOptions(keys.command('create').description('create an API key and print it (shown once; only a hash is stored)'))
  .requiredOption('--name <text>', 'who or what uses it, e.g. "so-khcn-it" or "vnpt-hotich"')
  .requiredOption('--role <role>', 'admin (everything), viewer (read-only) or vendor (read its own services)')
  .option('--services <list>', 'vendor keys: comma-separated service classes it owns, e.g. civil-status')
  .action(lazy(apiKey, 'runApiKeyCreate'));
storeOptions(keys.command('list').description('list API keys, their role and last use')).action(
  lazy(apiKey, 'runApiKeyList'),
);
storeOptions(
  keys
    .command('revoke')
    .description('revoke an API key')
    .requiredOption('--id <n>', 'key id, from `api-key list`', positiveInt),
).action(lazy(apiKey, 'runApiKeyRevoke'));

const users = program
  .command('user')
  .description('manage web UI logins (roles admin, viewer, vendor); create the first admin here');
storeOptions(
  users.command('create').description('create a login; the password is typed twice (or read from stdin, or generated)'),
)
  .requiredOption('--username <name>', 'login name, lower case, e.g. "nguyenvana"')
  .requiredOption(
    '--role <role>',
    'admin (district/provincial IT), viewer (leaders, read-only) or vendor (its own services)',
  )
  .option('--services <list>', 'vendor: comma-separated service classes it owns, e.g. civil-status')
  .option('--name <text>', 'full name shown in the UI')
  .option('--generate-password', 'generate a random password and print it on stdout')
  .action(lazy(user, 'runUserCreate'));
storeOptions(users.command('list').description('list logins, roles and last login')).action(lazy(user, 'runUserList'));
storeOptions(
  users
    .command('disable')
    .description('disable a login and end its sessions')
    .requiredOption('--username <name>', 'login name'),
).action((flags: { username: string }) => lazy(user, 'runUserSetDisabled')({ ...flags, disabled: true }));
storeOptions(
  users.command('enable').description('enable a disabled login').requiredOption('--username <name>', 'login name'),
).action((flags: { username: string }) => lazy(user, 'runUserSetDisabled')({ ...flags, disabled: false }));
storeOptions(
  users
    .command('passwd')
    .description("set a new password (ends the user's sessions)")
    .requiredOption('--username <name>', 'login name')
    .option('--generate-password', 'generate one and print it'),
).action(lazy(user, 'runUserPasswd'));

const rumApps = program
  .command('rum-app')
  .description('web apps that send real-user monitoring data (Grafana Faro) to /collect');
storeOptions(
  rumApps.command('create').description("register an app and print its key (for the page's <script data-key>)"),
)
  .requiredOption('--name <name>', 'app name, e.g. motcua-laocai')
  .requiredOption('--origin <url>', 'origin the pages are served from (CORS allow-list); repeat for several', collect)
  .option('--services <list>', 'service classes the app belongs to (vendors see their own), e.g. one-stop-shop')
  .option('--sample <share>', 'share of batches kept, (0, 1]; default 1')
  .action(lazy(rum, 'runRumAppCreate'));
storeOptions(rumApps.command('list').description('list RUM apps')).action(lazy(rum, 'runRumAppList'));
storeOptions(
  rumApps
    .command('revoke')
    .description("refuse an app's data from now on")
    .requiredOption('--id <n>', 'app id, from `rum-app list`', positiveInt),
).action(lazy(rum, 'runRumAppRevoke'));

const incidents = program
  .command('incident')
  .description('record and correct incidents (outages known from other sources)');
storeOptions(
  incidents
    .command('add')
    .description('record an outage known from elsewhere (helpdesk log, before the commune had an agent)'),
)
  .requiredOption('--cause <cause>', 'commune-network, central-service, local-service or agent-silent')
  .option('--service <class>', 'service class (needed for central-service and local-service), e.g. civil-status')
  .requiredOption('--commune <code>', 'commune code; repeat for a central incident at several communes', collect)
  .requiredOption('--from <time>', 'start, "dd/MM/yyyy HH:mm" Vietnam time or ISO 8601')
  .option('--to <time>', 'end (omit while still going on)')
  .option('--severity <s>', 'down (default) or degraded')
  .requiredOption('--note <text>', 'where this comes from, e.g. "sổ trực 25/11"')
  .option('--notify', 'still going on (no --to): page the alert receivers like a detected incident')
  .action(lazy(incident, 'runIncidentAdd'));
storeOptions(incidents.command('list').description('list incidents, open ones first'))
  .option('--commune <code>', 'only this commune')
  .option('--service <class>', 'only this service class')
  .option('--open', 'only open incidents')
  .option('--limit <n>', 'at most this many (default 100)', positiveInt, 100)
  .action(lazy(incident, 'runIncidentList'));
storeOptions(incidents.command('edit').description('correct an incident; the old values and the reason are kept'))
  .requiredOption('--id <n>', 'incident id', positiveInt)
  .option('--from <time>', 'new start')
  .option('--to <time>', 'new end, or "open"')
  .option('--cause <cause>', 'new cause')
  .option('--severity <s>', 'down or degraded')
  .option('--note <text>', 'new note')
  .requiredOption('--reason <text>', 'why (kept in the audit trail)')
  .action(lazy(incident, 'runIncidentEdit'));
storeOptions(incidents.command('delete').description('delete an incident (kept in the audit trail, no longer counted)'))
  .requiredOption('--id <n>', 'incident id', positiveInt)
  .requiredOption('--reason <text>', 'why (kept in the audit trail)')
  .action(lazy(incident, 'runIncidentDelete'));

const cal = program.command('calendar').description('working-time calendar: holidays, make-up days, timetables');
storeOptions(
  cal
    .command('import')
    .description('load a calendar file (national, province or commune scope)')
    .argument('<file>', 'calendar YAML, see docs/calendar.md'),
).action(lazy(calendar, 'runCalendarImport'));
cal
  .command('prefill')
  .description(
    "draft a future year's days off (lunar dates from date-holidays, Labour Code rules), all provisional, to check and import",
  )
  .requiredOption('--year <yyyy>', 'year', positiveInt)
  .option('--out <file>', 'write the YAML here instead of printing it')
  .action(lazy(calendar, 'runCalendarPrefill'));
storeOptions(cal.command('show').description("a year's days off and make-up days, and its working hours"))
  .requiredOption('--year <yyyy>', 'year', positiveInt)
  .option('--commune <code>', "this commune's calendar (its province and own rules on top)")
  .action(lazy(calendar, 'runCalendarShow'));
storeOptions(cal.command('set-day').description('set one day off or one make-up working day'))
  .requiredOption('--date <yyyy-mm-dd>', 'the date')
  .requiredOption('--kind <kind>', 'off or work')
  .requiredOption('--name <text>', 'e.g. "Nghỉ bù Giỗ Tổ Hùng Vương"')
  .option('--source <text>', 'the decision or notice')
  .option('--provisional', 'not yet confirmed by an official notice')
  .option('--province <code>', 'only this province')
  .option('--commune <code>', 'only this commune')
  .action(lazy(calendar, 'runCalendarSetDay'));
storeOptions(cal.command('delete-day').description('remove a day rule'))
  .requiredOption('--date <yyyy-mm-dd>', 'the date')
  .option('--province <code>', 'the province scope it was set in')
  .option('--commune <code>', 'the commune scope it was set in')
  .action(lazy(calendar, 'runCalendarDeleteDay'));

const silences = program
  .command('silence')
  .description('silences and maintenance windows: no notifications; maintenance also counts as planned time');
storeOptions(silences.command('add').description('mute notifications for matching incidents, once or every week'))
  .option('--kind <kind>', 'silence, or maintenance (also marked as planned in uptime)', 'silence')
  .requiredOption(
    '--match <label=values>',
    'e.g. commune=26734 or service=civil-status,e-signing; repeat for more labels (all must match)',
    collect,
  )
  .requiredOption('--from <time>', 'start, "dd/MM/yyyy HH:mm" Vietnam time')
  .requiredOption('--to <time>', 'end')
  .option('--weekdays <list>', 'recurring: ISO weekdays, e.g. 1,2,3,4,5')
  .option('--between <HH:mm-HH:mm>', 'recurring: local time window on those days, e.g. 12:00-13:00')
  .requiredOption('--comment <text>', 'why, e.g. "VNPT nâng cấp đường truyền"')
  .action(lazy(silence, 'runSilenceAdd'));
storeOptions(silences.command('list').description('active and future silences')).action(
  lazy(silence, 'runSilenceList'),
);
storeOptions(
  silences.command('delete').description('end a silence now').requiredOption('--id <n>', 'silence id', positiveInt),
).action(lazy(silence, 'runSilenceDelete'));

const dossiers = program.command('dossiers').description('dossier (hồ sơ) records from the provincial systems');
storeOptions(
  dossiers
    .command('import')
    .description('import a CSV or XLSX export; nothing is imported if a row is bad, unless --partial')
    .argument('<file>', '.csv or .xlsx, header row first'),
)
  .requiredOption(
    '--source <name>',
    'where the records come from, e.g. motcua-laocai (the same code from two sources is two dossiers)',
  )
  .option('--partial', 'import the good rows even when some are bad')
  .option('--mapping <file>', 'YAML {"header in the file": field} for headers CommuneWatch does not know')
  .action(lazy(dossier, 'runDossierImport'));

reportCommand(program);

program
  .command('demo')
  .description('server + one in-process agent probing local targets and a simulated vendor app with faults')
  .option('--data <dir>', 'data directory (default ./data)')
  .option('--port <port>', 'port for the server (default 8080)', port)
  .option('--host <host>', 'address to listen on (default 127.0.0.1)')
  .option('--no-gateway', 'do not probe the default gateway')
  .action(runDemo);

runProgram(program, 'communewatch');
