/**
 * `communewatch agent`: load and check config, read the token, run until a signal.
 * With `plan.enabled`, the probe plan also comes from the server (agent/remote-plan.ts): the agent starts at
 * once on the cached plan merged with the local targets, and checks the server in the background, so a
 * server that is down never keeps a commune from being monitored.
 */
import pino from 'pino';
import { loadAgentConfig, readAgentToken } from '../agent/config.js';
import { Agent } from '../agent/agent.js';
import { RemotePlan } from '../agent/remote-plan.js';
import { readYamlConfig } from '../common/config-file.js';
import { onShutdown } from './shutdown.js';

export async function runAgentCommand(flags: { config: string; checkConfig?: boolean }): Promise<void> {
  const config = loadAgentConfig(flags.config);
  const token = readAgentToken(config);
  if (flags.checkConfig) {
    const plan = config.plan.enabled ? ' + the plan from the server' : '';
    process.stdout.write(
      `config OK: ${flags.config} (${config.targets.length} targets${plan}, commune ${config.commune})\n`,
    );
    return;
  }
  // The agent parses the output of ping and of the commands systeminformation runs; glibc translates
  // their error messages under a Vietnamese LC_ALL/LC_MESSAGES, which would turn "unknown host" into an
  // unrecognised line. Measurements never depend on the locale; error classification would.
  if (process.platform !== 'win32') Object.assign(process.env, { LC_ALL: 'C', LANG: 'C' });
  const log = pino({ level: config.log.level });
  if (!config.plan.enabled) {
    const agent = new Agent({ config, token, log });
    agent.start();
    onShutdown(() => agent.stop(), log);
    return;
  }
  // The loaded config has path defaults filled in; only the file says whether it set `path:` itself.
  const data = readYamlConfig(flags.config).data;
  const localPath = typeof data === 'object' && data !== null && 'path' in data;
  const plan: RemotePlan = new RemotePlan({
    config,
    token,
    log: log.child({ component: 'plan' }),
    localPath,
    apply: (merged): Promise<void> => agent.replaceTargets(merged.targets),
    applyPath: (path) => agent.replacePath(path),
  });
  const initial = plan.loadCache();
  const agent: Agent = new Agent({ config: { ...config, targets: initial.targets, path: initial.path }, token, log });
  agent.start();
  plan.start();
  onShutdown(async () => {
    // The plan loop first: a plan applied after the agent stopped would restart its scheduler.
    await plan.stop();
    await agent.stop();
  }, log);
}
