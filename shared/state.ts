// What the event alone says of the resource (offline). The live path reads it from AWS instead (adapters).
import type { NormalizedChange, ResourceState } from './types.ts';

export function stateFromChange(change: NormalizedChange): ResourceState {
  const state: ResourceState = { source: 'event', ref: change.resource };
  const s = change.settings;
  if (s.status !== undefined) state.status = s.status;
  if (s.directInternetAccess !== undefined) state.directInternetAccess = s.directInternetAccess;
  if (s.rootAccess !== undefined) state.rootAccess = s.rootAccess;
  if (s.subnetId !== undefined) state.subnetId = s.subnetId;
  if (s.kmsKeyId !== undefined) state.kmsKeyId = s.kmsKeyId;
  if (s.appNetworkAccessType !== undefined) state.appNetworkAccessType = s.appNetworkAccessType;
  if (s.imdsMinimumVersion !== undefined) state.imdsMinimumVersion = s.imdsMinimumVersion;
  if (s.executionRoleIdentityConfig !== undefined)
    state.executionRoleIdentityConfig = s.executionRoleIdentityConfig;
  if (s.imageRunAs !== undefined) state.imageRunAs = s.imageRunAs.map((r) => ({ ...r }));
  if (s.lifecycleScripts !== undefined) state.lifecycleScripts = s.lifecycleScripts;
  // On a domain, executionRole is the default for its users, which no domain rule checks.
  if (s.executionRole !== undefined && change.resource.type === 'user-profile')
    state.executionRole = s.executionRole;
  if (change.tags !== undefined) state.tags = { ...change.tags };
  return state;
}
