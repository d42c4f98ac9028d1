// sm-guardrails generate-policies: the preventive layer (SCPs, identity policy, Studio access policy) from the same
// policy file. The generator lives in prevention/; it is imported only when the command runs.
import { loadPolicy, type RegisterCommand, UsageError } from '../context.ts';

export const registerGeneratePolicies: RegisterCommand = (program, cli) => {
  program
    .command('generate-policies')
    .description(
      'write the SCP, identity policy and Studio access policy the policy implies, and their coverage',
    )
    .option('--config <FILE>', 'the policy file (default: the built-in default policy)')
    .requiredOption('--out <DIR>', 'the directory to write into (created if missing)')
    .addHelpText(
      'after',
      `
Writes scp.json (scp-1.json, scp-2.json... when over the 5,120-character SCP limit), identity-policy.json,
studio-access-policy.json and coverage.md, as the policy's \`prevention\` section asks. Every action and
condition key is checked against AWS's service reference data first. See docs/prevention.md.`,
    )
    .action(
      cli.action(async (options: { config?: string; out: string }) => {
        if (!options.out.trim()) throw new UsageError('--out needs a directory');
        const policy = await loadPolicy(options.config);
        const { GenerationError, writeGeneratedPolicies } = await import('../../prevention/write.ts');
        let result: Awaited<ReturnType<typeof writeGeneratedPolicies>>;
        try {
          result = await writeGeneratedPolicies(policy, options.out);
        } catch (error) {
          // What the policy asks cannot be written within AWS's limits or reference data: the policy's fault.
          if (!(error instanceof GenerationError)) throw error;
          cli.io.err(`sm-guardrails: ${options.config ?? 'default policy'}: ${error.message}`);
          return 2;
        }
        const { written, warnings } = result;
        for (const file of written) cli.io.out(`wrote ${file.path} (${file.size})`);
        for (const warning of warnings) cli.io.err(`sm-guardrails: warning: ${warning}`);
        return 0;
      }),
    );
};
