// A violation as the event functions report it (shared/report.ts), for the Security Hub tests.
import type { ReportForFindings } from '#securityhub/asff';

export const ROOT_ACCESS_VIOLATION: ReportForFindings['violations'][number] = {
  rule: 'notebook-root-access',
  severity: 'high',
  message: 'root access enabled',
  seen: 'RootAccess=Enabled',
  required: 'RootAccess=Disabled',
  fix: 'UpdateNotebookInstance with RootAccess=Disabled (stop it first).',
};
