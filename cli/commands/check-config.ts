// sm-guardrails check-config: validates a policy file.
import { loadPolicy, type RegisterCommand } from '../context.ts';

export const registerCheckConfig: RegisterCommand = (program, cli) => {
  program
    .command('check-config')
    .description('validate a policy file')
    .argument('<FILE>', 'the policy file (YAML or JSON)')
    .addHelpText(
      'after',
      '\nA bad file gets one line per problem, naming the file, the field and the reason (exit 2).',
    )
    .action(
      cli.action(async (file: string) => {
        await loadPolicy(file);
        cli.io.out(`${file}: valid policy`);
        return 0;
      }),
    );
};
