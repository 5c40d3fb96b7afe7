import Foundation
import Runtime

exit(await DevBroker.main(environment: Environment()))
