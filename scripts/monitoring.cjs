// The monitoring that deploys with the guardrails (serverless.yml, through scripts/deploy-config.cjs): a
// CloudWatch dashboard, Logs Insights saved queries, and the optional chat channels (AWS Chatbot, now Amazon Q
// Developer in chat applications). Pure functions of the stage, region and function names (exported for tests).
'use strict';

const { readFileSync } = require('node:fs');
const path = require('node:path');
const { parse } = require('yaml');

/**
 * The functions serverless.yml declares, with the logical id serverless gives their log groups: every one is on
 * the dashboard and in the saved queries, whoever adds a function.
 */
function declaredFunctions(file = path.join(__dirname, '..', 'serverless.yml')) {
  // CloudFormation tags (!Ref, !GetAtt...) do not matter here: only the function names are read.
  const config = parse(readFileSync(file, 'utf8'), { logLevel: 'silent' });
  return Object.keys(config.functions ?? {}).map((name) => ({
    name,
    logGroupId: `${name.charAt(0).toUpperCase()}${name.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore')}LogGroup`,
  }));
}
const FUNCTIONS = declaredFunctions();
const NAMESPACE = 'SmGuardrails';

/**
 * Logs Insights over the functions' `finding` lines (shared/lambda/runtime.ts: one per event). A finding is one
 * rule of a noncompliant event: `unnest` turns the event's rule list into one record per rule.
 */
const NONCOMPLIANT = [
  'fields jsonParse(@message) as log',
  'filter log.message = "finding" and log.finding.verdict = "noncompliant"',
  'fields log.finding.resource.arn as resource',
  'fields coalesce(log.finding.actor.arn, log.finding.actor.identityCenterUserId, log.finding.actor.type) as actor',
  'parse resource /^arn:[^:]+:sagemaker:[^:]*:(?<account>[0-9]{12}):/',
  'unnest log.finding.rules into rule',
].join(' | ');

/** Saved queries, by name under `<service>-<stage>/`. */
function savedQueries() {
  return {
    'findings-by-rule': `${NONCOMPLIANT} | stats count(*) as findings by rule | sort findings desc`,
    'findings-by-actor': `${NONCOMPLIANT} | stats count(*) as findings by actor | sort findings desc`,
    'findings-by-account': `${NONCOMPLIANT} | stats count(*) as findings by account | sort findings desc`,
    'findings-by-resource': `${NONCOMPLIANT} | stats count(*) as findings, latest(@timestamp) as last by resource, rule | sort findings desc`,
    'recent-findings': `${NONCOMPLIANT} | display @timestamp, rule, resource, actor, account | sort @timestamp desc | limit 100`,
  };
}

/** Actions by status, from the same lines. */
const ACTIONS_BY_STATUS = [
  'fields jsonParse(@message) as log',
  'filter log.message = "finding"',
  'unnest log.finding.actions into action',
  'stats count(*) as actions by action.type, action.status',
  'sort actions desc',
].join(' | ');

function metricWidget(title, metrics, { x, y, stat = 'Sum' }, region) {
  return {
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, view: 'timeSeries', stat, period: 300, metrics },
  };
}

function logWidget(title, query, logGroups, { x, y }, region) {
  const sources = logGroups.map((g) => `SOURCE '${g}'`).join(' | ');
  return {
    type: 'log',
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, view: 'table', query: `${sources} | ${query}` },
  };
}

/** The dashboard body (a JSON string, as AWS::CloudWatch::Dashboard takes it). */
function dashboardBody({ service, stage, region }) {
  const functionName = (fn) => `${service}-${stage}-${fn.name}`;
  const logGroups = FUNCTIONS.map((fn) => `/aws/lambda/${functionName(fn)}`);
  const queries = savedQueries();
  const perFunction = (metric, stat) =>
    FUNCTIONS.map((fn) => ['AWS/Lambda', metric, 'FunctionName', functionName(fn), { stat, label: fn.name }]);
  const widgets = [
    {
      type: 'text',
      x: 0,
      y: 0,
      width: 24,
      height: 2,
      properties: {
        markdown: `## SageMaker guardrails: ${stage} (${region})\nA finding is one rule a resource broke in one event; actions are what the guardrails did about them. Who did it: the saved Logs Insights queries \`${service}-${stage}/...\`.`,
      },
    },
    logWidget('Findings by rule', queries['findings-by-rule'], logGroups, { x: 0, y: 2 }, region),
    logWidget('Findings by account', queries['findings-by-account'], logGroups, { x: 12, y: 2 }, region),
    logWidget('Actions by status', ACTIONS_BY_STATUS, logGroups, { x: 0, y: 8 }, region),
    metricWidget(
      'Violations and failed actions (per stage)',
      [
        [NAMESPACE, 'Violations', 'service', 'sm-guardrails', 'stage', stage, { label: 'findings' }],
        [NAMESPACE, 'ActionsFailed', 'service', 'sm-guardrails', 'stage', stage, { label: 'failed actions' }],
      ],
      { x: 12, y: 8 },
      region,
    ),
    metricWidget(
      'Errors: function errors, failed AWS reads, failed events',
      [
        ...perFunction('Errors', 'Sum'),
        [NAMESPACE, 'Events_error', 'service', 'sm-guardrails', 'stage', stage, { label: 'AWS read failed' }],
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          `${service}-${stage}-failed-events`,
          { stat: 'Maximum', label: 'failed events queued' },
        ],
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          `${service}-${stage}-recheck-dlq`,
          { stat: 'Maximum', label: 're-checks dead-lettered' },
        ],
      ],
      { x: 0, y: 14 },
      region,
    ),
    metricWidget(
      'Duration (p50, p99, max)',
      [
        ...perFunction('Duration', 'p50'),
        ...perFunction('Duration', 'p99'),
        ...perFunction('Duration', 'Maximum'),
      ],
      { x: 12, y: 14, stat: 'p99' },
      region,
    ),
  ];
  return JSON.stringify({ widgets });
}

function pascal(id) {
  return id.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase());
}

/** The dashboard and the saved queries, as a serverless `resources` fragment. */
function monitoringResources({ service, stage, region }) {
  const resources = {
    Dashboard: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: {
        DashboardName: `${service}-${stage}`,
        DashboardBody: dashboardBody({ service, stage, region }),
      },
    },
  };
  for (const [id, queryString] of Object.entries(savedQueries())) {
    resources[`Query${pascal(id)}`] = {
      Type: 'AWS::Logs::QueryDefinition',
      // The log groups first: a saved query names them.
      DependsOn: FUNCTIONS.map((fn) => fn.logGroupId),
      Properties: {
        Name: `${service}-${stage}/${id}`,
        QueryString: queryString,
        LogGroupNames: FUNCTIONS.map((fn) => `/aws/lambda/${service}-${stage}-${fn.name}`),
      },
    };
  }
  return { Resources: resources };
}

/**
 * Chat channels (the `chatSlack` and `chatTeams` stage params): a topic the functions publish AWS Chatbot custom
 * notifications to, a role for AWS Chatbot with no permissions (notifications only), and one channel
 * configuration per platform. Nothing when neither param is set.
 */
function chatResources({ service, stage, slack, teams }) {
  const configurations = {};
  const base = (name) => ({
    ConfigurationName: `${service}-${stage}-${name}`,
    IamRoleArn: { 'Fn::GetAtt': ['ChatbotRole', 'Arn'] },
    SnsTopicArns: [{ Ref: 'ChatTopic' }],
    LoggingLevel: 'ERROR',
  });
  if (slack) {
    const [workspaceId, channelId, ...rest] = slack.split('/');
    if (!workspaceId || !channelId || rest.length > 0) {
      throw new Error(`stage param "chatSlack": "<workspace id>/<channel id>", not "${slack}"`);
    }
    configurations.ChatSlackChannel = {
      Type: 'AWS::Chatbot::SlackChannelConfiguration',
      Properties: { ...base('slack'), SlackWorkspaceId: workspaceId, SlackChannelId: channelId },
    };
  }
  if (teams) {
    const [tenantId, teamId, channelId, ...rest] = teams.split('/');
    if (!tenantId || !teamId || !channelId || rest.length > 0) {
      throw new Error(`stage param "chatTeams": "<tenant id>/<team id>/<channel id>", not "${teams}"`);
    }
    configurations.ChatTeamsChannel = {
      Type: 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration',
      Properties: { ...base('teams'), TeamsTenantId: tenantId, TeamId: teamId, TeamsChannelId: channelId },
    };
  }
  if (Object.keys(configurations).length === 0) return {};
  return {
    Resources: {
      ChatTopic: {
        Type: 'AWS::SNS::Topic',
        Properties: {
          TopicName: `${service}-${stage}-chat`,
          DisplayName: 'SageMaker guardrails (chat)',
          KmsMasterKeyId: { Ref: 'AlertTopicKey' },
        },
      },
      ChatbotRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' }, Action: 'sts:AssumeRole' },
            ],
          },
        },
      },
      ...configurations,
    },
  };
}

module.exports = {
  FUNCTIONS,
  declaredFunctions,
  dashboardBody,
  savedQueries,
  monitoringResources,
  chatResources,
};
