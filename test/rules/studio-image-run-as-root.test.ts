import { studioImageRunAsRoot } from '#core/rules/studio-image-run-as-root';
import { testRule } from '../support/rule-tester.ts';

testRule(studioImageRunAsRoot, 'app-image-config', {
  valid: [
    {
      name: 'uid 1000, gid 100 (the defaults)',
      state: { imageRunAs: [{ app: 'KernelGateway', uid: 1000, gid: 100 }] },
    },
    { name: 'no image config at all', state: { imageRunAs: [] } },
    {
      name: 'a JupyterLab image with its own non-root user',
      state: { imageRunAs: [{ app: 'JupyterLab', uid: 1001, gid: 1001 }] },
    },
  ],
  invalid: [
    {
      name: 'uid 0 and gid 0',
      state: { imageRunAs: [{ app: 'KernelGateway', uid: 0, gid: 0 }] },
      messages: ['KernelGateway image runs as root'],
      seen: ['KernelGateway FileSystemConfig DefaultUid=0 DefaultGid=0'],
      required: ['DefaultUid and DefaultGid other than 0'],
    },
    {
      name: 'gid 0 alone (the root group)',
      state: { imageRunAs: [{ app: 'KernelGateway', uid: 1000, gid: 0 }] },
      messages: ['KernelGateway image runs as root'],
    },
    {
      name: 'one violation per root image config',
      state: {
        imageRunAs: [
          { app: 'KernelGateway', uid: 1000, gid: 100 },
          { app: 'JupyterLab', uid: 0, gid: 100 },
          { app: 'CodeEditor', uid: 0, gid: 0 },
        ],
      },
      messages: ['JupyterLab image runs as root', 'CodeEditor image runs as root'],
    },
  ],
  unknown: [
    {
      name: 'an UpdateAppImageConfig without image configs, offline',
      state: {},
      reason: /image configs are not known/,
    },
  ],
  notApplicable: [
    {
      name: 'policy allows root images',
      state: { imageRunAs: [{ app: 'KernelGateway', uid: 0, gid: 0 }] },
      policy: { studio: { forbidRootImages: false } },
    },
  ],
});
