import { run } from './shells/main.js'

void run()
