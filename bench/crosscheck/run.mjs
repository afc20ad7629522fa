// Reads a JSON array of iam-simulate `Simulation` objects on stdin; prints one result per line:
// {"decision": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied"} or {"error": "..."}.
import { runSimulation } from '@cloud-copilot/iam-simulate'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const simulations = JSON.parse(Buffer.concat(chunks).toString('utf8'))
for (const simulation of simulations) {
  let line
  try {
    const response = await runSimulation(simulation, {})
    if (response.resultType === 'error') {
      line = { error: JSON.stringify(response.errors).slice(0, 300) }
    } else {
      line = { decision: response.overallResult }
    }
  } catch (err) {
    line = { error: String(err).slice(0, 300) }
  }
  process.stdout.write(JSON.stringify(line) + '\n')
}
