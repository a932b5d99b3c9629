// Judges AWS calls against IAM identity policies with @cloud-copilot/iam-simulate (a full evaluator:
// NotResource, NotAction, conditions, wildcards). Reads JSON on stdin:
//   {"account": "123456789012", "requests": [{"principal", "policies": [...], "action", "resource"}]}
// and writes one verdict per request: {"result": "Allowed" | "ImplicitlyDenied" | ..., "errors": ...}.
import { runSimulation } from '@cloud-copilot/iam-simulate'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const { account, requests } = JSON.parse(Buffer.concat(chunks).toString())

const verdicts = []
for (const request of requests) {
  const outcome = await runSimulation({
    identityPolicies: request.policies.map((policy, index) => ({ name: `policy${index}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      action: request.action,
      principal: request.principal,
      resource: { accountId: account, resource: request.resource },
      contextVariables: {}
    }
  }, {})
  verdicts.push({ result: outcome.result?.overallResult ?? outcome.overallResult ?? 'Error', errors: outcome.errors ?? null })
}
process.stdout.write(JSON.stringify(verdicts))
