// 7. An organization through one container: compliant notebook creations spread over 100 accounts x 4 regions,
// handled by one Guardrails (one Lambda container) homed in the first account, every other account through the
// member role. Measures the AWS calls per event against the same events in a single account (the same number of
// distinct notebooks and KMS keys), the AssumeRole calls (one per member account while credentials last), and
// the memory: the client sets held stay at the provider's bound however many places the events come from.
import { SimulatedAccount } from '#cli/simulation';
import { createAwsClientProvider } from '#core/aws/client-provider';
import { Guardrails } from '#core/guardrails';
import { DEFAULT_POLICY } from '#core/policy';
import type { Emulator } from '#emulator/index';
import { CREDENTIALS, type JsonEvent, loadEvent, REGION, round, silenced, withFreshIds } from './common.ts';

export const ORG_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'];
const MEMBER_ROLE = 'sm-guardrails-member';
const HOME_ACCOUNT = '111122223333';
const TEMPLATE = 'notebook-instance/create-compliant.json';
const TEMPLATE_KEY = '7c1e4b2a-93d5-4f1e-8a6b-2d9f0c3e5a17';

export interface OrganizationResult {
  accounts: number;
  regions: number;
  /** Events handled per scenario: every place `rounds` times. */
  events: number;
  rounds: number;
  callsPerEvent: {
    /** The same events, notebooks and keys, all in the home account and region. */
    singleAccount: number;
    organization: number;
    /** The organization's calls without sts:AssumeRole: equal to singleAccount when nothing leaks. */
    organizationWithoutAssumeRole: number;
  };
  assumeRole: { calls: number; memberAccounts: number; perEvent: number };
  memory: {
    clientSetCapacity: number;
    clientSetsHeld: number;
    /** Heap after the first round and after the last (rounds handle the same places again). */
    heapMbAfterFirstRound: number;
    heapMbAtEnd: number;
  };
  msPerEvent: { singleAccount: number; organization: number };
  met: boolean;
}

/** The home account first, then members. */
const accountId = (i: number): string => (i === 0 ? HOME_ACCOUNT : String(200_000_000_000 + i));

/** The template event for slot `i`, recorded in `account`/`region`: its own notebook name and KMS key. */
function slotEvent(template: JsonEvent, i: number, account: string, region: string): JsonEvent {
  const key = `${TEMPLATE_KEY.slice(0, -6)}${String(i).padStart(6, '0')}`;
  const text = JSON.stringify(template)
    .replaceAll(HOME_ACCOUNT, account)
    .replaceAll('us-east-1', region)
    .replaceAll(TEMPLATE_KEY, key)
    .replaceAll('churn-analysis', `org-bench-${i}`);
  return JSON.parse(text) as JsonEvent;
}

const heapMb = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return round(process.memoryUsage().heapUsed / 2 ** 20, 1);
};

async function handleAll(
  emulator: Emulator,
  events: JsonEvent[],
  memberRoleName: string | undefined,
  rounds: number,
  afterFirstRound: () => void,
) {
  const clients = createAwsClientProvider({
    home: { partition: 'aws', account: HOME_ACCOUNT, region: REGION },
    endpoint: emulator.endpoint,
    credentials: CREDENTIALS,
    ...(memberRoleName ? { memberRoleName } : {}),
  });
  const guardrails = new Guardrails({ policy: DEFAULT_POLICY, clients });
  emulator.clearCalls();
  const started = performance.now();
  let handled = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      for (const event of events) {
        const { report } = await guardrails.handle(withFreshIds(event));
        if (report.verdict !== 'compliant') throw new Error(`unexpected ${report.verdict}: ${report.reason}`);
        handled++;
      }
      if (r === 0) afterFirstRound();
    }
    const ms = (performance.now() - started) / handled;
    const sts = emulator.calls.filter((c) => c.service === 'sts').length;
    return {
      calls: emulator.calls.length,
      sts,
      handled,
      ms,
      held: clients.size,
      assumed: clients.assumeRoleCalls,
    };
  } finally {
    clients.destroy();
  }
}

export async function measureOrganization(options: {
  emulator: Emulator;
  accounts?: number;
  rounds?: number;
}): Promise<OrganizationResult> {
  const { emulator } = options;
  const accounts = options.accounts ?? 100;
  const rounds = options.rounds ?? 3;
  const template = loadEvent(TEMPLATE);
  const places = Array.from({ length: accounts }, (_, a) =>
    ORG_REGIONS.map((region) => ({ account: accountId(a), region })),
  ).flat();
  const orgEvents = places.map((p, i) => slotEvent(template, i, p.account, p.region));
  const singleEvents = places.map((_, i) => slotEvent(template, i, HOME_ACCOUNT, REGION));

  // The resources exist (acted out through the same member role the guardrails use).
  const actor = createAwsClientProvider({
    home: { partition: 'aws', account: HOME_ACCOUNT, region: REGION },
    endpoint: emulator.endpoint,
    credentials: CREDENTIALS,
    memberRoleName: MEMBER_ROLE,
  });
  const account = new SimulatedAccount(
    emulator,
    (location) => actor.for(location).sagemaker,
    (id) => {
      if (id !== HOME_ACCOUNT) emulator.seed.role({ account: id, name: MEMBER_ROLE });
    },
  );
  for (const event of [...orgEvents, ...singleEvents]) await account.apply(event);
  actor.destroy();

  let heapMbAfterFirstRound = 0;
  const { value: single } = await silenced(() =>
    handleAll(emulator, singleEvents, undefined, rounds, () => {}),
  );
  const { value: org } = await silenced(() =>
    handleAll(emulator, orgEvents, MEMBER_ROLE, rounds, () => {
      heapMbAfterFirstRound = heapMb();
    }),
  );
  const heapMbAtEnd = heapMb();
  const singlePerEvent = single.calls / single.handled;
  const orgPerEvent = org.calls / org.handled;
  const withoutSts = (org.calls - org.sts) / org.handled;
  const memberAccounts = accounts - 1;
  const capacity = 64;
  return {
    accounts,
    regions: ORG_REGIONS.length,
    events: org.handled,
    rounds,
    callsPerEvent: {
      singleAccount: round(singlePerEvent, 3),
      organization: round(orgPerEvent, 3),
      organizationWithoutAssumeRole: round(withoutSts, 3),
    },
    assumeRole: { calls: org.sts, memberAccounts, perEvent: round(org.sts / org.handled, 4) },
    memory: { clientSetCapacity: capacity, clientSetsHeld: org.held, heapMbAfterFirstRound, heapMbAtEnd },
    msPerEvent: { singleAccount: round(single.ms, 2), organization: round(org.ms, 2) },
    met: withoutSts === singlePerEvent && org.sts <= memberAccounts && org.held <= capacity,
  };
}
