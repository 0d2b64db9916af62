-- `require` finds modules next to the script first, then LUA_PATH as usual. Receives the
-- script's folder.
local dir = ...
package.path = dir .. "/?.lua;" .. dir .. "/?/init.lua;" .. package.path
