"""The REST API's definition answers a path no resource serves with 404 `{"message":"Not found"}` (the gateway
response), as `make run` does, with the app's CORS origin."""
import json


def test_the_rest_api_answers_an_unserved_path_404_not_found():
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.stack import answer_unknown_paths

    stack = cdk.Stack(cdk.App(), "Api")
    rest_api = cdk.CfnResource(stack, "RestAPI", type="AWS::Serverless::Api",
                               properties={"DefinitionBody": {"swagger": "2.0", "paths": {}}})
    answer_unknown_paths(rest_api)

    definition = Template.from_stack(stack).to_json()["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    response = definition["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"]
    assert response["statusCode"] == 404
    assert json.loads(response["responseTemplates"]["application/json"]) == {"message": "Not found"}
    assert response["responseParameters"] == {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}
    assert definition["paths"] == {}
