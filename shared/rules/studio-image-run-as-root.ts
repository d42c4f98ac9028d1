import { fail, NOT_APPLICABLE, PASS, type Rule, unknown } from './rule.ts';

export const studioImageRunAsRoot: Rule = {
  meta: {
    id: 'studio-image-run-as-root',
    description:
      'Custom Studio images do not run as root: no app image config FileSystemConfig (KernelGateway, JupyterLab, CodeEditor) with DefaultUid 0 or DefaultGid 0.',
    resourceTypes: ['app-image-config'],
    severity: 'high',
    fix: 'UpdateAppImageConfig with DefaultUid 1000 and DefaultGid 100 (the defaults) and an image built for that user.',
  },
  check({ state, policy }) {
    if (!policy.studio.forbidRootImages) return NOT_APPLICABLE;
    if (state.imageRunAs === undefined) return unknown('the image configs are not known');
    const root = state.imageRunAs.filter((r) => r.uid === 0 || r.gid === 0);
    if (root.length === 0) return PASS;
    return fail(
      ...root.map((r) => ({
        message: `${r.app} image runs as root`,
        seen: `${r.app} FileSystemConfig DefaultUid=${r.uid} DefaultGid=${r.gid}`,
        required: 'DefaultUid and DefaultGid other than 0',
      })),
    );
  },
};
