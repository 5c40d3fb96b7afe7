import ServiceKit

await ServiceMain.runWithoutDatabase(name: "agent", defaultPort: 7411, build: Agent.build)
