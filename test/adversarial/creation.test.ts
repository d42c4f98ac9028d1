// Item 7: protected tags at creation, and keys differing only in letter case.
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  ADMIN,
  ADMIN_ROLE,
  actionsOf,
  addTags,
  apiCall,
  MALLORY,
  REGION,
  useAttackWorld,
} from './support.ts';

const world = useAttackWorld();
const DOMAIN = 'd-abc123def456';

function createProfile(name: string, tags: Record<string, string>, who = MALLORY) {
  world().emulator.seed.userProfile({
    domainId: DOMAIN,
    name,
    region: REGION,
    tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  });
  return apiCall(
    'CreateUserProfile',
    {
      domainId: DOMAIN,
      userProfileName: name,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    },
    who,
    {
      responseElements: {
        userProfileArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:user-profile/${DOMAIN}/${name}`,
      },
    },
  );
}

describe('item 7: whoever creates profiles does not decide who opens them', () => {
  it.each([
    ['studiouserid', 'alice'],
    ['StudioUserId', 'alice'],
    ['STUDIOUSERID', 'alice'],
  ])('CreateUserProfile mallory with %s=alice is reported (not removed) and told', async (key, value) => {
    const w = world();
    const report = await w.runtime().handleEvent(createProfile('mallory', { [key]: value }));
    expect(report.verdict).toBe('noncompliant');
    expect(report.violations.map((v) => v.message)).toContain(
      `protected tag ${key} set at creation by a principal not allowed to`,
    );
    expect(report.actions.some((a) => a.type === 'revert')).toBe(false);
    expect(actionsOf(report)).toContain('notify:done');
    const arn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:user-profile/${DOMAIN}/mallory`;
    expect(w.tagsOf(arn)[key]).toBe(value);
    expect(w.alerts()[0]?.message).toContain(`protected tag ${key} set at creation`);
  });

  it('the derived value (the profile name) at creation is quiet', async () => {
    const report = await world()
      .runtime()
      .handleEvent(createProfile('mallory', { studiouserid: 'mallory' }));
    expect(report.verdict).toBe('compliant');
    expect(world().alerts()).toEqual([]);
  });

  it('listing the admins who create profiles as allowed principals makes it quiet', async () => {
    const report = await world()
      .runtime({ policy: { protectedTags: { studiouserid: { allowedPrincipals: [ADMIN_ROLE] } } } })
      .handleEvent(createProfile('svc-account', { studiouserid: 'alice' }, ADMIN));
    expect(report.verdict).toBe('compliant');
    expect(world().alerts()).toEqual([]);
  });

  it('a case variant added later is removed and told; the real key is left as it was', async () => {
    const w = world();
    const arn = w.emulator.seed.userProfile({
      domainId: DOMAIN,
      name: 'bob',
      region: REGION,
      tags: [
        { Key: 'studiouserid', Value: 'bob' },
        { Key: 'StudioUserId', Value: 'alice' },
      ],
    });
    const report = await w.runtime().handleEvent(addTags(arn, { StudioUserId: 'alice' }));
    expect(report.verdict).toBe('noncompliant');
    expect(w.tagsOf(arn)).toEqual({ studiouserid: 'bob' });
    expect(w.alerts()[0]?.subject).toMatch(/REVERTED user profile bob/);
  });
});
