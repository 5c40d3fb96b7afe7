import ServiceKit

await ServiceMain.run(name: "cmdb-service", defaultPort: 7405, build: CMDBService.build)
