import ServiceKit

await ServiceMain.run(name: "dependency-resolver", defaultPort: 7402, build: DependencyResolver.build)
