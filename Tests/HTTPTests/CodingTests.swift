import Foundation
import Testing
@testable import HTTP

@Suite struct CodingTests {
    struct TaskSpec: Codable, Equatable {
        var name: String
        var run: String
        var retries: Int?
    }

    struct Workflow: Codable, Equatable {
        var name: String
        var tasks: [TaskSpec]
        var startAt: Date?
    }

    private func request(_ json: String) -> HTTPRequest {
        HTTPRequest(method: "POST", path: "/", headers: ["Content-Type": "application/json"], body: Array(json.utf8))
    }

    private func decodeError(_ json: String) -> HTTPError? {
        do {
            _ = try request(json).decode(Workflow.self)
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesBodyWithISODates() throws {
        let workflow = try request(#"{"name":"etl","tasks":[],"startAt":"2024-03-01T12:00:00.250Z"}"#).decode(Workflow.self)
        #expect(workflow.startAt == Date(timeIntervalSince1970: 1_709_294_400.25))
    }

    @Test func typeMismatchNamesTheKeyPath() {
        let error = decodeError(#"{"name":"etl","tasks":[{"name":"a","run":"x"},{"name":"b","run":5}]}"#)
        #expect(error?.status == 400)
        #expect(error?.message.contains("key 'tasks[1].run'") == true)
        #expect(error?.message.contains("expected a string") == true)
    }

    @Test func missingKeyIsNamed() {
        let error = decodeError(#"{"name":"etl","tasks":[{"name":"a"}]}"#)
        #expect(error?.message == "invalid JSON body: missing key 'tasks[0].run'")
    }

    @Test func malformedJSONIs400() {
        let error = decodeError(#"{"name": "#)
        #expect(error?.status == 400)
        #expect(error?.message.hasPrefix("invalid JSON body:") == true)
    }

    @Test func badTimestampIsNamed() {
        let error = decodeError(#"{"name":"etl","tasks":[],"startAt":"yesterday"}"#)
        #expect(error?.message.contains("key 'startAt'") == true)
        #expect(error?.message.contains("ISO-8601") == true)
    }

    @Test func emptyBodyIs400() {
        #expect(decodeError("")?.message.contains("empty") == true)
    }

    @Test func unknownKeysRejectedWhenAsked() throws {
        let json = #"{"name":"etl","tasks":[{"name":"a","run":"x","comand":"ls"}]}"#
        #expect(throws: HTTPError.badRequest("invalid JSON body: unknown key 'tasks[0].comand'")) {
            try request(json).decode(Workflow.self, rejectingUnknownKeys: true)
        }
        #expect(try request(json).decode(Workflow.self, rejectingUnknownKeys: false).name == "etl")
    }

    @Test func explicitNullForOptionalIsNotUnknown() throws {
        let json = #"{"name":"etl","tasks":[{"name":"a","run":"x","retries":null}],"startAt":null}"#
        #expect(try request(json).decode(Workflow.self, rejectingUnknownKeys: true).tasks.count == 1)
    }

    @Test func jsonResponseUsesISODatesAndUnescapedSlashes() {
        struct Body: Encodable { var at: Date; var path: String }
        let response = HTTPResponse.json(Body(at: Date(timeIntervalSince1970: 0), path: "/v1/runs"), status: 201)
        #expect(response.status == 201)
        #expect(response.headers["Content-Type"] == "application/json")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains(#""at":"1970-01-01T00:00:00.000Z""#))
        #expect(text.contains(#""path":"/v1/runs""#))
    }

    @Test func errorResponseShape() {
        let response = HTTPResponse.error(404, "run r-1 not found")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"error":"run r-1 not found"}"#)
    }

    @Test func headerLookupIsCaseInsensitive() {
        let request = HTTPRequest(method: "GET", path: "/", headers: ["X-Tenant-ID": "acme"])
        #expect(request.header("x-tenant-id") == "acme")
        #expect(request.header("X-TENANT-ID") == "acme")
        #expect(request.headers["x-tenant-id"] == "acme")
    }
}
