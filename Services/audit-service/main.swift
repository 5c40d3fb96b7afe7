import ServiceKit

await ServiceMain.run(name: "audit-service", defaultPort: 7404, build: AuditService.build)
