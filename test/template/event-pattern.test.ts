import { describe, expect, it } from 'vitest';
import { matchesPattern } from './event-pattern.ts';

const event = {
  source: 'aws.sagemaker',
  'detail-type': 'AWS API Call via CloudTrail',
  detail: {
    eventSource: 'sagemaker.amazonaws.com',
    eventName: 'AddTags',
    count: 3,
    readOnly: false,
    responseElements: null,
    userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/Admin/alice' },
    tags: [
      { key: 'project', value: 'churn' },
      { key: 'owner', value: 'alice' },
    ],
    tagKeys: ['project', 'owner'],
  },
};

describe('matchesPattern', () => {
  it('matches exact values, ORs a list and ANDs the fields', () => {
    expect(matchesPattern({ source: ['aws.sagemaker'] }, event)).toBe(true);
    expect(matchesPattern({ source: ['aws.es', 'aws.sagemaker'] }, event)).toBe(true);
    expect(matchesPattern({ source: ['aws.es'] }, event)).toBe(false);
    expect(matchesPattern({ source: ['aws.sagemaker'], 'detail-type': ['Other'] }, event)).toBe(false);
    expect(
      matchesPattern({ detail: { count: [3], readOnly: [false], responseElements: [null] } }, event),
    ).toBe(true);
    expect(matchesPattern({ detail: { count: ['3'] } }, event)).toBe(false);
  });

  it('matches nested objects and a missing field never matches a value', () => {
    expect(matchesPattern({ detail: { userIdentity: { type: ['AssumedRole'] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { userIdentity: { type: ['IAMUser'] } } }, event)).toBe(false);
    expect(matchesPattern({ detail: { errorCode: ['AccessDenied'] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { nope: { deeper: ['x'] } } }, event)).toBe(false);
  });

  it('supports prefix, suffix and equals-ignore-case', () => {
    expect(matchesPattern({ detail: { eventName: [{ prefix: 'Add' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { eventName: [{ prefix: 'Delete' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { eventSource: [{ suffix: '.amazonaws.com' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { eventName: [{ 'equals-ignore-case': 'addtags' }] } }, event)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { count: [{ prefix: '3' }] } }, event)).toBe(false);
  });

  it('supports anything-but with a value, a list or a prefix, and not on a missing field', () => {
    expect(matchesPattern({ detail: { eventName: [{ 'anything-but': 'DeleteTags' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { eventName: [{ 'anything-but': 'AddTags' }] } }, event)).toBe(false);
    expect(
      matchesPattern({ detail: { eventName: [{ 'anything-but': ['AddTags', 'DeleteTags'] }] } }, event),
    ).toBe(false);
    expect(matchesPattern({ detail: { eventName: [{ 'anything-but': { prefix: 'Add' } }] } }, event)).toBe(
      false,
    );
    expect(matchesPattern({ detail: { eventName: [{ 'anything-but': { prefix: 'Del' } }] } }, event)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { errorCode: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
  });

  it('supports exists true and false, also under a missing parent', () => {
    expect(matchesPattern({ detail: { errorCode: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { errorCode: [{ exists: true }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { eventName: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { eventName: [{ exists: false }] } }, event)).toBe(false);
    expect(matchesPattern({ addendum: { reason: [{ exists: false }] } }, event)).toBe(true);
    const failed = { ...event, detail: { ...event.detail, errorCode: 'AccessDenied' } };
    expect(matchesPattern({ detail: { errorCode: [{ exists: false }] } }, failed)).toBe(false);
  });

  it('matches an array in the event if any element matches', () => {
    expect(matchesPattern({ detail: { tagKeys: ['owner'] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { tagKeys: ['cost-center'] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { tags: { key: ['owner'] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { tags: { key: ['cost-center'] } } }, event)).toBe(false);
    expect(matchesPattern({ detail: { tagKeys: [{ 'anything-but': 'project' }] } }, event)).toBe(true);
  });

  it('supports numeric ranges and $or', () => {
    expect(matchesPattern({ detail: { count: [{ numeric: ['>', 2, '<=', 3] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { count: [{ numeric: ['>', 3] }] } }, event)).toBe(false);
    const or = { $or: [{ source: ['aws.es'] }, { detail: { eventName: ['AddTags'] } }] };
    expect(matchesPattern(or, event)).toBe(true);
    expect(matchesPattern({ $or: [{ source: ['aws.es'] }, { source: ['aws.ec2'] }] }, event)).toBe(false);
  });

  it('rejects what it does not understand instead of guessing', () => {
    expect(() => matchesPattern({ detail: { eventName: [{ wildcard: 'Add*' }] } }, event)).toThrow(
      /wildcard/,
    );
    expect(() => matchesPattern({ source: 'aws.sagemaker' }, event)).toThrow(/list of matchers/);
    expect(() => matchesPattern({ detail: { eventName: [{ prefix: 'A', suffix: 's' }] } }, event)).toThrow(
      /exactly one operator/,
    );
  });
});
