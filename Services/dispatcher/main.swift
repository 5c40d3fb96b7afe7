import ServiceKit

await ServiceMain.run(name: "dispatcher", defaultPort: 7403, build: Dispatcher.build)
