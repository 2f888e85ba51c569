// A Connect client from npm (@connectrpc/connect-node, with code that
// protoc-gen-es generated from this repository's protos) calling both
// services' HTTP ports over mutual TLS, as a Node.js portal would.
//
//   node connect_client.mjs CONFIG.json
//
// CONFIG: {eligibilityUrl, registryUrl, ca, cert, key, portfolio (JSON of an
// imh.eligibility.v1.Portfolio), expect: {category, heldNumber, heldCategory}}.
// Prints one "ok: ..." line per check; exits 1 on the first failure.
import { readFileSync } from "node:fs";

import { fromJson } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";

import { BadRequestSchema } from "./gen/google/rpc/error_details_pb.js";
import { Outcome } from "./gen/imh/eligibility/v1/decision_pb.js";
import { EligibilityService, VerificationState } from "./gen/imh/eligibility/v1/eligibility_service_pb.js";
import { PortfolioSchema } from "./gen/imh/eligibility/v1/portfolio_pb.js";
import { CredentialStatus, RegistryService } from "./gen/imh/registry/v1/registry_service_pb.js";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const tls = {
  ca: readFileSync(config.ca),
  cert: readFileSync(config.cert),
  key: readFileSync(config.key),
};
const transport = (baseUrl) =>
  createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false, nodeOptions: tls });

function check(condition, what) {
  if (!condition) {
    console.log(`FAIL: ${what}`);
    process.exit(1);
  }
}

const eligibility = createClient(EligibilityService, transport(config.eligibilityUrl));
const registry = createClient(RegistryService, transport(config.registryUrl));
const portfolio = fromJson(PortfolioSchema, config.portfolio);

// EvaluatePortfolio: the decision, verified against the registry, signed.
const evaluated = await eligibility.evaluatePortfolio(
  { portfolio, categories: [config.expect.category] },
  { headers: { "x-request-id": "connect-node-evaluate" } },
);
const outcomes = evaluated.decision.categories.map((c) => [c.category, Outcome[c.outcome]]);
check(
  outcomes.length === 1 && outcomes[0][0] === config.expect.category && outcomes[0][1] === "ELIGIBLE",
  `EvaluatePortfolio outcomes ${JSON.stringify(outcomes)}`,
);
check(evaluated.verification.state === VerificationState.COMPLETE, "verification not complete");
check(evaluated.signedDecision.signature.length === 64, "no Ed25519 signature");
console.log(`ok: EvaluatePortfolio: ${config.expect.category} ELIGIBLE, verified, signed`);

// A bad portfolio: a ConnectError whose BadRequest detail the client decodes.
const bad = fromJson(PortfolioSchema, config.portfolio);
bad.trainings[0].clockHours = -3;
try {
  await eligibility.evaluatePortfolio({ portfolio: bad, categories: [config.expect.category] });
  check(false, "a negative clock_hours was accepted");
} catch (error) {
  const connectError = ConnectError.from(error);
  check(connectError.code === Code.InvalidArgument, `code ${Code[connectError.code]}`);
  const fields = connectError
    .findDetails(BadRequestSchema)
    .flatMap((detail) => detail.fieldViolations.map((v) => v.field));
  check(fields.includes("portfolio.trainings[0].clock_hours"), `violations ${JSON.stringify(fields)}`);
  console.log("ok: EvaluatePortfolio refuses a bad portfolio with its field violations");
}

// VerifyCredentials: one endorsement held, one category not held.
const verified = await registry.verifyCredentials({
  questions: [
    { subject: { case: "endorsementNumber", value: config.expect.heldNumber }, categories: [config.expect.heldCategory] },
    { subject: { case: "endorsementNumber", value: config.expect.heldNumber }, categories: ["IMHM-C"] },
  ],
});
const statuses = verified.answers.map((a) => CredentialStatus[a.status]);
check(JSON.stringify(statuses) === JSON.stringify(["HELD", "NOT_HELD"]), `VerifyCredentials ${statuses}`);
check(verified.answers[0].endorsementNumber === config.expect.heldNumber, "answer names another endorsement");
console.log(`ok: VerifyCredentials: ${config.expect.heldNumber} HELD as ${config.expect.heldCategory}, NOT HELD as IMHM-C`);

// A write the policy refuses this certificate: PermissionDenied.
try {
  await registry.createPerson({ person: { personId: "P-9001", displayName: "Not Allowed", county: "Fairfax" } });
  check(false, "an unauthorised CreatePerson succeeded");
} catch (error) {
  check(ConnectError.from(error).code === Code.PermissionDenied, `CreatePerson: ${error}`);
  console.log("ok: an unauthorised write is PermissionDenied");
}
console.log("PASS");
