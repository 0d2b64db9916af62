import LuaHost
import NN
import Tensors

/// The internal `nn.functional._recurrent` behind nn.RNN, nn.LSTM and nn.GRU
/// (lua/nn_layers.lua): one layer-direction's whole recurrence as one op
/// (Sources/NN/RecurrentLayers.swift). Its name starts with `_`: not part of the documented API,
/// so it may change with the layers that use it.
extension Runtime {
    func recurrentBindings() -> [(String, LuaFunction)] {
        [
            // _recurrent(kind, xp, w_hh, b_hh|nil, h0, c0|nil, reverse) -> [T, B, H] (LSTM: [T, B, 2H])
            ("_recurrent", { [unowned self] L in
                let name = try L.string(1, "argument 1 (kind)")
                guard let kind = Functional.RecurrentKind(rawValue: name) else {
                    throw LuaError("_recurrent: kind must be 'rnn_tanh', 'rnn_relu', 'lstm' or 'gru', got '\(name)'")
                }
                return self.push(L, try Functional.recurrentLayer(
                    kind, xp: try self.tensor(L, 2, "argument 2 (xp)"), wHH: try self.tensor(L, 3, "argument 3 (w_hh)"),
                    bHH: try self.optionalTensor(L, 4, "argument 4 (b_hh)"), h0: try self.tensor(L, 5, "argument 5 (h0)"),
                    c0: try self.optionalTensor(L, 6, "argument 6 (c0)"),
                    reverse: L.isNoneOrNil(7) ? false : try L.boolean(7, "argument 7 (reverse)")))
            }),
        ]
    }
}
