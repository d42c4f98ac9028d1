// What the functions give the monitoring: metrics dimensioned by stage (and findings by rule and account), one
// `violation` log line per violation for the saved Logs Insights queries, and AWS Chatbot custom notifications.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GuardrailsRuntime } from '#core/lambda/runtime';
import { DEFAULT_POLICY } from '#core/policy';
import { type LiveWorld, REGION, sampleEvent, startWorld } from '../support/live.ts';

let world: LiveWorld;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world.emulator.close());
afterEach(() => vi.restoreAllMocks());

/** The JSON lines the runtime writes to stdout (Powertools logs and EMF metrics) while `run` runs. */
async function stdoutJson(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(...String(chunk).split('\n'));
    return true;
  });
  await run();
  vi.restoreAllMocks();
  return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function runtime(options: { stage?: string; chatTopicArn?: string } = {}): GuardrailsRuntime {
  return new GuardrailsRuntime(
    { policy: DEFAULT_POLICY, topicArn: world.topicArn, ...options },
    world.clients(),
  );
}

function seedOpenDomain(): void {
  world.emulator.seed.domain({
    domainId: 'd-q7rk2xw9mz3p',
    name: 'sandbox-studio',
    region: REGION,
    appNetworkAccessType: 'PublicInternetOnly',
  });
}

describe('metrics', () => {
  it('dimensions the metrics by stage', async () => {
    world.emulator.reset();
    world.topicArn = world.emulator.seed.topic('sm-guardrails-alerts', REGION);
    seedOpenDomain();
    const out = await stdoutJson(() =>
      runtime({ stage: 'prod' }).handleEvent(sampleEvent('studio/create-domain-defaults.json')),
    );
    const metrics = out.filter((o) => o._aws);
    expect(metrics.length).toBeGreaterThan(0);
    const names = metrics.flatMap((m) =>
      (
        m._aws as { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] }
      ).CloudWatchMetrics.flatMap((d) => {
        expect(d.Dimensions[0]?.sort()).toEqual(['service', 'stage']);
        return d.Metrics.map((x) => x.Name);
      }),
    );
    expect(names).toEqual(
      expect.arrayContaining([
        'Violations_domain-network-access',
        'Violations_domain-kms-key',
        // What the dashboard graphs and the failed-actions alarm watches, with the same dimensions.
        'Violations',
        'ActionsFailed',
      ]),
    );
    for (const m of metrics) expect(m).toMatchObject({ stage: 'prod', service: 'sm-guardrails' });
    // The total is the sum of the per-rule counts.
    const perRule = metrics.flatMap((m) =>
      Object.entries(m)
        .filter(([k]) => k.startsWith('Violations_'))
        .map(([, v]) => Number(v)),
    );
    expect(metrics.find((m) => 'Violations' in m)?.Violations).toBe(perRule.reduce((a, b) => a + b, 0));
  });
});

describe('chat (AWS Chatbot custom notifications)', () => {
  it('publishes each alert to the chat topic too, in the custom notification format', async () => {
    world.emulator.reset();
    world.topicArn = world.emulator.seed.topic('sm-guardrails-alerts', REGION);
    const chatTopicArn = world.emulator.seed.topic('sm-guardrails-chat', REGION);
    seedOpenDomain();
    const report = await runtime({ chatTopicArn }).handleEvent(
      sampleEvent('studio/create-domain-defaults.json'),
    );
    expect(report.notifications?.[0]).toMatchObject({ status: 'sent', chat: { status: 'sent' } });
    const chat = world.emulator.published.filter((m) => m.topicArn === chatTopicArn);
    expect(chat).toHaveLength(1);
    const message = JSON.parse(chat[0]?.message ?? '{}');
    const email = world.emulator.published.find((m) => m.topicArn === world.topicArn);
    expect(message).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: report.notifications?.[0]?.subject,
        keywords: ['high', 'domain', '111122223333'],
      },
      metadata: { summary: report.notifications?.[0]?.subject },
    });
    expect(message.content.title.length).toBeLessThanOrEqual(250);
    expect(message.content.description.length).toBeLessThanOrEqual(8000);
    // The email body, verbatim, in a code block: chat markdown cannot format or mention through event values.
    expect(message.content.description).toBe(`\`\`\`\n${email?.message}\n\`\`\``);
    expect(message.content.description).toContain('domain-network-access');
  });

  it('a failed chat publish is reported, and the email alert still goes out', async () => {
    world.emulator.reset();
    world.topicArn = world.emulator.seed.topic('sm-guardrails-alerts', REGION);
    seedOpenDomain();
    const missing = `arn:aws:sns:${REGION}:111122223333:no-such-chat-topic`;
    const report = await runtime({ chatTopicArn: missing }).handleEvent(
      sampleEvent('studio/create-domain-defaults.json'),
    );
    expect(report.notifications?.[0]).toMatchObject({
      status: 'sent',
      chat: { status: 'failed', error: 'NotFoundException' },
    });
    expect(world.emulator.published.map((m) => m.topicArn)).toEqual([world.topicArn]);
  });
});
