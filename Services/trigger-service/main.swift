import ServiceKit

await ServiceMain.run(name: "trigger-service", defaultPort: 7401, build: TriggerService.build)
