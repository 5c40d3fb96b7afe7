import ServiceKit

await ServiceMain.run(name: "notifier", defaultPort: 7406, build: Notifier.build)
