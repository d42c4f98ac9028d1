import { describe, expect, it } from 'vitest';
import { notebookImdsV2 } from '#core/rules/notebook-imdsv2';
import { testRule } from '../support/rule-tester.ts';

testRule(notebookImdsV2, 'notebook-instance', {
  valid: [{ name: 'IMDSv2 only', state: { imdsMinimumVersion: '2' } }],
  invalid: [
    {
      name: 'IMDSv1 allowed (also what an omitted setting means at creation)',
      state: { imdsMinimumVersion: '1' },
      messages: ['IMDSv1 allowed'],
      seen: ['MinimumInstanceMetadataServiceVersion=1'],
      required: ['MinimumInstanceMetadataServiceVersion=2'],
      // UpdateNotebookInstance can change it while Stopped: no recreation.
      recreateRequired: false,
    },
  ],
  unknown: [
    {
      name: 'an update that does not touch it, offline',
      state: { source: 'event', rootAccess: 'Disabled' },
      reason: /InstanceMetadataServiceConfiguration is not known/,
    },
  ],
  notApplicable: [
    {
      name: 'policy does not require IMDSv2',
      state: { imdsMinimumVersion: '1' },
      policy: { notebook: { requireImdsV2: false } },
    },
  ],
});

describe('notebook-imdsv2 metadata', () => {
  it('says the fix is in place (while Stopped), unlike the network and KMS settings', () => {
    expect(notebookImdsV2.meta.fix).toMatch(/^Fixable in place: stop the notebook, UpdateNotebookInstance/);
  });
});
