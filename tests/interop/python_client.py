"""A Python client of both services, from stubs generated from proto/.

usage: python_client.py REGISTRY_ADDRESS ELIGIBILITY_ADDRESS IFS_PORTFOLIO_JSON
Exits non-zero, saying what failed, unless every call behaves as the
contracts say.
"""

import sys

import grpc
from google.protobuf import descriptor_pb2, json_format

import health_pb2
import health_pb2_grpc
import reflection_pb2
import reflection_pb2_grpc
from google.rpc import error_details_pb2, status_pb2
from google.type import date_pb2
from imh.eligibility.v1 import decision_pb2, eligibility_service_pb2
from imh.eligibility.v1 import eligibility_service_pb2_grpc, portfolio_pb2
from imh.registry.v1 import endorsement_pb2, registry_service_pb2
from imh.registry.v1 import registry_service_pb2_grpc

TIMEOUT = 10


def check(condition, what):
    if not condition:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


def serving(channel, service):
    stub = health_pb2_grpc.HealthStub(channel)
    answer = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT)
    return answer.status == health_pb2.HealthCheckResponse.SERVING


def reflect(channel, request):
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    return next(iter(stub.ServerReflectionInfo(iter([request]), timeout=TIMEOUT)))


def listed_services(channel):
    answer = reflect(channel, reflection_pb2.ServerReflectionRequest(list_services=""))
    return {s.name for s in answer.list_services_response.service}


def methods_of(channel, service):
    answer = reflect(
        channel, reflection_pb2.ServerReflectionRequest(file_containing_symbol=service))
    methods = set()
    package, _, name = service.rpartition(".")
    for raw in answer.file_descriptor_response.file_descriptor_proto:
        proto = descriptor_pb2.FileDescriptorProto.FromString(raw)
        if proto.package != package:
            continue
        for declared in proto.service:
            if declared.name == name:
                methods.update(m.name for m in declared.method)
    return methods


def bad_request_paths(error):
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                bad = error_details_pb2.BadRequest()
                if detail.Unpack(bad):
                    return [v.field for v in bad.field_violations]
    return []


def main(registry_address, eligibility_address, portfolio_path):
    registry_channel = grpc.insecure_channel(registry_address)
    eligibility_channel = grpc.insecure_channel(eligibility_address)

    check(serving(registry_channel, ""), "registry health: SERVING")
    check(serving(registry_channel, "imh.registry.v1.RegistryService"),
          "registry health of imh.registry.v1.RegistryService: SERVING")
    check(serving(eligibility_channel, "imh.eligibility.v1.EligibilityService"),
          "eligibility health of imh.eligibility.v1.EligibilityService: SERVING")

    services = listed_services(registry_channel)
    check({"imh.registry.v1.RegistryService", "grpc.health.v1.Health",
           "imh.admin.v1.AdminService"} <= services,
          "registry reflection lists its services: %s" % sorted(services))
    services = listed_services(eligibility_channel)
    check({"imh.eligibility.v1.EligibilityService", "grpc.health.v1.Health"} <= services,
          "eligibility reflection lists its services: %s" % sorted(services))
    methods = methods_of(eligibility_channel, "imh.eligibility.v1.EligibilityService")
    check({"EvaluatePortfolio", "RecommendCategories", "EvaluateRenewal",
           "GetRulebook"} <= methods,
          "eligibility reflection describes its methods: %s" % sorted(methods))

    registry = registry_service_pb2_grpc.RegistryServiceStub(registry_channel)
    metadata = (("x-request-id", "python-interop-1"), ("x-actor", "interop-test"))
    registry.CreatePerson(registry_service_pb2.CreatePersonRequest(
        person=endorsement_pb2.Person(person_id="P-1001", display_name="Rosa Delgado",
                                      county="Fairfax",
                                      membership_paid_through_year=2026)),
        timeout=TIMEOUT, metadata=metadata)
    imported = registry.ImportEndorsements(registry_service_pb2.ImportEndorsementsRequest(
        records=[endorsement_pb2.RegistryRecord(
            person=endorsement_pb2.Person(person_id="P-1001", display_name="Rosa Delgado",
                                          county="Fairfax",
                                          membership_paid_through_year=2026),
            endorsement=endorsement_pb2.Endorsement(
                endorsement_number="VA-IFRS-1001", category="IFRS",
                granted_on=date_pb2.Date(year=2014, month=5, day=1),
                next_renewal_cycle_year=2027))]),
        timeout=TIMEOUT, metadata=metadata)
    check(imported.imported_count == 1 and not imported.rejections,
          "registry imports P-1001's historical IFRS: %s" % imported)
    answers = registry.VerifyCredentials(registry_service_pb2.VerifyCredentialsRequest(
        questions=[registry_service_pb2.CredentialQuestion(
            person_id="P-1001", categories=["IFRS"])]), timeout=TIMEOUT)
    check(answers.answers[0].status == registry_service_pb2.CREDENTIAL_STATUS_HELD,
          "registry verifies P-1001 holds IFRS")

    eligibility = eligibility_service_pb2_grpc.EligibilityServiceStub(eligibility_channel)
    rulebook = eligibility.GetRulebook(eligibility_service_pb2.GetRulebookRequest(),
                                       timeout=TIMEOUT)
    check(rulebook.version and rulebook.in_force_from.year > 0 and
          len(rulebook.rulebook.categories) > 0,
          "eligibility reports rulebook %s, in force from %04d-%02d-%02d" % (
              rulebook.version, rulebook.in_force_from.year,
              rulebook.in_force_from.month, rulebook.in_force_from.day))
    portfolio = portfolio_pb2.Portfolio()
    with open(portfolio_path) as source:
        json_format.Parse(source.read(), portfolio)
    request = eligibility_service_pb2.EvaluatePortfolioRequest(
        portfolio=portfolio, categories=["IFS"],
        as_of=date_pb2.Date(year=2026, month=11, day=20))
    answer, call = eligibility.EvaluatePortfolio.with_call(
        request, timeout=TIMEOUT, metadata=(("x-request-id", "python-interop-2"),))
    outcome = answer.decision.categories[0].outcome
    check(outcome == decision_pb2.OUTCOME_ELIGIBLE,
          "IFS portfolio with an active IFRS provider: %s" %
          decision_pb2.Outcome.Name(outcome))
    check(answer.verification.state == eligibility_service_pb2.VERIFICATION_STATE_COMPLETE,
          "every rater and provider verified (%d questions)" %
          answer.verification.questions)
    echoed = dict(call.initial_metadata()).get("x-request-id")
    check(echoed == "python-interop-2", "request id sent back: %s" % echoed)

    bad = eligibility_service_pb2.EvaluatePortfolioRequest(
        portfolio=portfolio, categories=["NOPE"])
    bad.portfolio.trainings[0].clock_hours = -3
    try:
        eligibility.EvaluatePortfolio(bad, timeout=TIMEOUT)
        check(False, "bad request refused")
    except grpc.RpcError as error:
        paths = bad_request_paths(error)
        check(error.code() == grpc.StatusCode.INVALID_ARGUMENT,
              "bad request: INVALID_ARGUMENT")
        check("categories[0]" in paths and
              "portfolio.trainings[0].clock_hours" in paths,
              "google.rpc.BadRequest names the fields: %s" % paths)
    print("PASS")


if __name__ == "__main__":
    main(*sys.argv[1:4])
